/**
 * Figures as values: "8万", "80000元", "$3,000", "3 days" in a question, and the ranges and bounds that
 * documents state ("5万至20万元", "£5,001 – £25,000", "> $1,000", "不超过10万", "up to 5 days"), with
 * units normalised (万/千/k multiply; weeks count as days), so a question's figure meets the table row or
 * sentence whose range holds it. Hand-written: no package reads Chinese and English amounts together.
 */

export type QuantityUnit = 'money' | 'day' | 'hour' | 'minute' | 'month' | 'year' | 'percent' | 'none';

export interface Quantity {
  readonly value: number;
  readonly unit: QuantityUnit;
}

export interface QuantityRange {
  readonly min: number;
  readonly max: number;
  readonly unit: QuantityUnit;
}

const CURRENCY = String.raw`[$£€¥￥]|(?:RMB|USD|GBP|EUR|CNY)\s?`;
const MULTIPLIER = String.raw`百万|万|千|k\b|K\b|m\b|million\b|thousand\b`;
const UNIT = String.raw`元|块|美元|英镑|欧元|dollars?\b|pounds?\b|euros?\b|rmb\b|usd\b|个?工作日|working days?\b|business days?\b|calendar days?\b|days?\b|天|日|hours?\b|hrs?\b|小时|h\b|minutes?\b|mins?\b|分钟|weeks?\b|个?周|个?星期|months?\b|个月|years?\b|%`;
const QUANTITY = new RegExp(
  String.raw`(?<cur>${CURRENCY})?(?<num>\d+(?:[.,]\d+)*)(?!\d)\s*(?<mult>${MULTIPLIER})?\s*(?<unit>${UNIT})?`,
  'giu',
);
/** Between two figures of a range. */
const RANGE_JOIN = /^\s*(?:to|-|–|—|~|～|至|到)\s*$/i;
const UPPER_BEFORE =
  /(?:up to|under|below|less than|fewer than|at most|no more than|not more than|maximum of|max\.?|不超过|不高于|不多于|低于|少于|最多|最高|[<≤])\s*$/i;
const LOWER_BEFORE =
  /(?:over|above|more than|greater than|at least|exceeding|minimum of|超过|高于|多于|不低于|至少|[>≥])\s*$/i;
const UPPER_AFTER = /^\s*(?:以下|以内|及以下|之内|or less|or fewer|or below|and under)/i;
const LOWER_AFTER = /^\s*(?:以上|及以上|起|or more|or above|and over|\+)/i;

interface Found {
  readonly start: number;
  readonly end: number;
  readonly quantity: Quantity;
}

function unitOf(cur: string | undefined, unit: string | undefined): QuantityUnit {
  if (cur) return 'money';
  if (!unit) return 'none';
  const u = unit.toLowerCase();
  if (/元|块|美元|英镑|欧元|dollar|pound|euro|rmb|usd/.test(u)) return 'money';
  if (/工作日|day|天|日|week|周|星期/.test(u)) return 'day';
  if (/hour|hr|小时|^h$/.test(u)) return 'hour';
  if (/min|分钟/.test(u)) return 'minute';
  if (/month|个月/.test(u)) return 'month';
  if (/year/.test(u)) return 'year';
  return u === '%' ? 'percent' : 'none';
}

const SCALES: Readonly<Record<string, number>> = {
  百万: 1e6,
  m: 1e6,
  million: 1e6,
  万: 1e4,
  千: 1e3,
  k: 1e3,
  thousand: 1e3,
};

function scale(mult: string | undefined): number {
  return SCALES[mult?.toLowerCase() ?? ''] ?? 1;
}

/** 零 to 九 by position, and the other ways of writing 0 and 2. */
const CHINESE_DIGITS: Readonly<Record<string, number>> = {
  ...Object.fromEntries([...'零一二三四五六七八九'].map((c, i) => [c, i])),
  〇: 0,
  两: 2,
};
const CHINESE_UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1_000, 万: 10_000 };
/** A Chinese numeral with a unit character in it, starting with a digit or with 十 (十五万), not 万一 or 千万. */
const CHINESE_NUMERAL =
  /(?:[零〇一二两三四五六七八九]|十(?=[零〇一二两三四五六七八九十百千万]))[零〇一二两三四五六七八九十百千万]*/g;

/**
 * "一万二" → "12000", "三千五" → "3500", "十五万" → "150000": the figures people write in words, as digits.
 * Hand-written: the packaged converters (nzh) read 一万二 as 10002 and 两千 as 0. A trailing digit after a
 * unit is a tenth of that unit, as spoken (一万二 is 12,000, not 10,002); after 零 it is itself.
 */
export function withArabicNumerals(text: string): string {
  return text.replace(CHINESE_NUMERAL, (numeral) => {
    if (!/[十百千万]/.test(numeral)) return numeral;
    let total = 0;
    let section = 0;
    let digit = 0;
    let lastUnit = 1;
    for (const c of numeral) {
      const unit = CHINESE_UNITS[c];
      if (unit === undefined) {
        digit = CHINESE_DIGITS[c]!;
        if (digit === 0) lastUnit = 1;
      } else if (unit === 10_000) {
        total += (section + digit) * unit;
        section = 0;
        digit = 0;
        lastUnit = unit;
      } else {
        section += (digit || (unit === 10 ? 1 : 0)) * unit;
        digit = 0;
        lastUnit = unit;
      }
    }
    return String(total + section + (lastUnit >= 100 ? (digit * lastUnit) / 10 : digit));
  });
}

function found(text: string): Found[] {
  const out: Found[] = [];
  for (const m of text.slice(0, 20_000).matchAll(QUANTITY)) {
    const g = m.groups!;
    const raw = g.num!;
    // A thousands comma ("12,000") is not a decimal point; "1.5" is.
    const value = Number(raw.replace(/,(?=\d{3}(?!\d))/g, '').replace(/,/g, '.')) * scale(g.mult);
    if (!Number.isFinite(value)) continue;
    // Part of a name ("E204", "Q3", "L1"), not a figure.
    const before = text[m.index! - 1];
    if (before && /[A-Za-z]/.test(before) && !g.cur) continue;
    let unit = unitOf(g.cur, g.unit);
    if (g.unit && /周|week/i.test(g.unit)) unit = 'day';
    const weeks = g.unit && /周|week|星期/i.test(g.unit) ? 7 : 1;
    out.push({ start: m.index!, end: m.index! + m[0].length, quantity: { value: value * weeks, unit } });
  }
  return out;
}

/** The figures a question names ("8万" → 80000, "3 days" → 3 day). Bare years and dates are left out. */
export function quantitiesOf(text: string): Quantity[] {
  return found(withArabicNumerals(text))
    .map((f) => f.quantity)
    .filter((q) => !(q.unit === 'none' && Number.isInteger(q.value) && q.value >= 1900 && q.value <= 2100));
}

/** Ranges and one-sided bounds the text states, with the unit of either end. */
export function rangesOf(stated: string): QuantityRange[] {
  const text = withArabicNumerals(stated);
  const figures = found(text);
  const out: QuantityRange[] = [];
  for (let i = 0; i < figures.length; i++) {
    const a = figures[i]!;
    const b = figures[i + 1];
    if (b && RANGE_JOIN.test(text.slice(a.end, b.start))) {
      // "5万至20万元": the end that names a unit (or multiplier) gives it to both.
      const unit = a.quantity.unit !== 'none' ? a.quantity.unit : b.quantity.unit;
      const values = [a.quantity.value, b.quantity.value];
      out.push({ min: Math.min(...values), max: Math.max(...values), unit });
      i++;
      continue;
    }
    const lead = text.slice(Math.max(0, a.start - 16), a.start);
    const tail = text.slice(a.end, a.end + 12);
    if (UPPER_BEFORE.test(lead) || UPPER_AFTER.test(tail)) {
      out.push({ min: Number.NEGATIVE_INFINITY, max: a.quantity.value, unit: a.quantity.unit });
    } else if (LOWER_BEFORE.test(lead) || LOWER_AFTER.test(tail)) {
      out.push({ min: a.quantity.value, max: Number.POSITIVE_INFINITY, unit: a.quantity.unit });
    }
  }
  return out;
}

/**
 * True when the text states a range or bound that holds one of the figures, in a compatible unit: the
 * same, or left unsaid by either.
 */
export function holdsAny(text: string, figures: readonly Quantity[]): boolean {
  if (figures.length === 0) return false;
  const compatible = (a: QuantityUnit, b: QuantityUnit) => a === 'none' || b === 'none' || a === b;
  return rangesOf(text).some((r) =>
    figures.some((q) => compatible(q.unit, r.unit) && q.value >= r.min && q.value <= r.max),
  );
}
