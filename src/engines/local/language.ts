/** The language a reply is written in: the question's. */
import { cjkRatio } from '../../kb/text-tokens.ts';

export type Lang = 'en' | 'zh';

export function detectLanguage(text: string): Lang {
  return cjkRatio(text) >= 0.3 ? 'zh' : 'en';
}

/** Picks the English or Chinese form. */
export function t(lang: Lang, en: string, zh: string): string {
  return lang === 'zh' ? zh : en;
}
