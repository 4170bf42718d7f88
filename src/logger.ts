/**
 * The process logger: pino, with secrets redacted wherever they appear. JSON
 * lines for machines (a file, a pipe, a log collector); readable lines when a
 * person watches a terminal. LOG_FORMAT=json|pretty overrides the guess.
 */
import { type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.apiKey',
  '*.authToken',
  '*.adminToken',
  '*.token',
  '*.password',
  '*.secret',
  'env.ANTHROPIC_API_KEY',
  'env.ANTHROPIC_AUTH_TOKEN',
  'env.CLAUDE_API_KEY',
];

export type LogFormat = 'json' | 'pretty';

export function defaultLogFormat(env: NodeJS.ProcessEnv = process.env): LogFormat {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return process.stdout.isTTY ? 'pretty' : 'json';
}

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', format = defaultLogFormat()): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (format === 'json') return pino(options);
  // In-process and synchronous (no transport thread), so nothing is lost when the process exits.
  return pino(options, pretty({ sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }));
}
