// A small SVG line chart: busy workers (left axis, 0..maxWorkers) and mean
// wait (right axis) over the last minutes. Hand-drawn because two lines do not
// justify a charting library.
import { useI18n } from '../shared/i18n.ts';
import { HISTORY_WINDOW_MS, type PoolSample } from './pool-history.ts';

const WIDTH = 640;
const HEIGHT = 170;
const PAD = { left: 34, right: 52, top: 12, bottom: 22 };

function niceCeiling(value: number): number {
  if (value <= 10) return 10;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

/** The chart grows from one minute to the full history, so a newly opened dashboard is not mostly empty. */
const MIN_SPAN_MS = 60_000;

function tickStepMs(spanMs: number): number {
  if (spanMs <= 60_000) return 10_000;
  if (spanMs <= 180_000) return 30_000;
  return 60_000;
}

function tickLabel(agoMs: number): string {
  if (agoMs === 0) return '0';
  return agoMs % 60_000 === 0 ? `-${agoMs / 60_000}m` : `-${Math.round(agoMs / 1000)}s`;
}

export function PoolChart({ samples, maxWorkers, now }: { samples: PoolSample[]; maxWorkers: number; now: number }) {
  const { t } = useI18n();
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const firstAt = samples[0]?.at ?? now;
  const span = Math.min(HISTORY_WINDOW_MS, Math.max(MIN_SPAN_MS, now - firstAt));
  const start = now - span;
  const x = (at: number) => PAD.left + ((at - start) / span) * plotWidth;
  const step = tickStepMs(span);
  const ticks = Array.from({ length: Math.floor(span / step) + 1 }, (_, index) => index * step);
  const busyMax = Math.max(1, maxWorkers);
  const yBusy = (value: number) => PAD.top + plotHeight - (value / busyMax) * plotHeight;
  const waitMax = niceCeiling(Math.max(0, ...samples.map((s) => s.meanWaitMs ?? 0)));
  const yWait = (value: number) => PAD.top + plotHeight - (value / waitMax) * plotHeight;

  // Busy workers as steps: a count holds until the next sample.
  let busyPath = '';
  samples.forEach((sample, index) => {
    const px = x(sample.at).toFixed(1);
    const py = yBusy(sample.busy).toFixed(1);
    busyPath += index === 0 ? `M${px},${py}` : `H${px}V${py}`;
  });
  if (samples.length > 0) busyPath += `H${x(now).toFixed(1)}`;
  const waitSamples = samples.filter((sample) => sample.meanWaitMs !== null);
  const waitPoints = waitSamples
    .map((sample) => `${x(sample.at).toFixed(1)},${yWait(sample.meanWaitMs ?? 0).toFixed(1)}`)
    .join(' ');
  // The caption names the span the axis shows (it grows to the full history).
  const minutes = Math.max(1, Math.round(span / 60000));

  return (
    <figure class="pool-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={t('pool.chart', { n: minutes })}>
        {[0, 0.5, 1].map((fraction) => {
          const y = PAD.top + plotHeight - fraction * plotHeight;
          return (
            <g key={fraction}>
              <line class="grid" x1={PAD.left} x2={WIDTH - PAD.right} y1={y} y2={y} />
              <text class="axis busy-axis" x={PAD.left - 6} y={y + 4} text-anchor="end">
                {Math.round(fraction * busyMax * 10) / 10}
              </text>
              <text class="axis wait-axis" x={WIDTH - PAD.right + 6} y={y + 4}>
                {Math.round(fraction * waitMax)}
              </text>
            </g>
          );
        })}
        {ticks.map((ago) => (
          <text key={ago} class="axis" x={x(now - ago)} y={HEIGHT - 6} text-anchor="middle">
            {tickLabel(ago)}
          </text>
        ))}
        {busyPath && <path class="line-busy" d={busyPath} />}
        {waitPoints && <polyline class="line-wait" points={waitPoints} />}
        {waitSamples.map((sample) => (
          <circle key={sample.at} class="dot-wait" cx={x(sample.at)} cy={yWait(sample.meanWaitMs ?? 0)} r={2.5} />
        ))}
      </svg>
      <figcaption class="legend">
        <span class="legend-item busy">{t('pool.legend.busy')}</span>
        <span class="legend-item wait">{t('pool.legend.wait')}</span>
        <span class="muted small">{t('pool.chart', { n: minutes })}</span>
      </figcaption>
    </figure>
  );
}
