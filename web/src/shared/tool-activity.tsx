// What the agent did during a turn: one line per tool call, the latest one
// animated while the answer is still being written.
import { type MessageKey, type Translate, useI18n } from './i18n.ts';
import type { ToolActivity } from './use-chat.ts';

const SUMMARY_FIELDS = ['file_path', 'path', 'pattern', 'glob', 'command', 'description', 'type', '_raw'] as const;

function toolLabel(tool: string, t: Translate): string {
  const short = tool.replace(/^mcp__.+?__/, '');
  const key = `tool.${short}` as MessageKey;
  const label = t(key);
  return label === key ? t('tool.default', { tool: short }) : label;
}

/** `_raw` is the server's cut of an input it could not summarise: often JSON, so show its first value. */
function rawSummary(raw: string): string {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null) {
      const first = Object.values(parsed).find((value) => typeof value === 'string');
      if (typeof first === 'string') return first;
    }
  } catch {
    // Cut short or not JSON: show it as it is.
  }
  return raw;
}

export function summarizeInput(input: Record<string, unknown>): string {
  for (const field of SUMMARY_FIELDS) {
    const value = input[field];
    if (typeof value === 'string' && value !== '') return field === '_raw' ? rawSummary(value) : value;
  }
  const first = Object.values(input).find((value) => typeof value === 'string' || typeof value === 'number');
  return first === undefined ? '' : String(first);
}

export function ToolActivityList({ tools, active }: { tools: ToolActivity[]; active: boolean }) {
  const { t } = useI18n();
  if (tools.length === 0) return null;
  return (
    <details class="tools" open={active}>
      <summary>
        {t('tools.title')} · {t('tools.count', { n: tools.length })}
      </summary>
      <ol>
        {tools.map((tool, index) => (
          <li key={tool.id || index} class={active && index === tools.length - 1 ? 'tool current' : 'tool'}>
            <span class="tool-name">{toolLabel(tool.tool, t)}</span>
            <code class="tool-input">{summarizeInput(tool.input)}</code>
          </li>
        ))}
      </ol>
    </details>
  );
}
