/**
 * The environment of a CLI process. The SDK's `env` REPLACES the child's
 * environment, so it starts from Docent's own, minus anything that would
 * point the CLI at other credentials or another config directory.
 */
import type { Config } from '../../config.ts';

const DROPPED = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_MODEL',
  'CLAUDE_API_KEY',
  'CLAUDE_CONFIG_DIR',
  'CLAUDECODE',
  'CLAUDE_CODE_ENTRYPOINT',
];

/** How many times the CLI retries a failed API request (429, 5xx, 529, connect errors) before failing the turn. */
export const API_RETRIES = 2;

export function childEnv(config: Config, configDir: string): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of DROPPED) delete env[name];
  const { apiKey, authToken, baseUrl, model } = config.anthropic;
  if (apiKey) env.ANTHROPIC_API_KEY = apiKey;
  if (authToken) env.ANTHROPIC_AUTH_TOKEN = authToken;
  if (baseUrl) env.ANTHROPIC_BASE_URL = baseUrl;
  if (model) env.ANTHROPIC_MODEL = model;
  return {
    ...env,
    CLAUDE_CONFIG_DIR: configDir,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_MAX_RETRIES: String(API_RETRIES),
  };
}
