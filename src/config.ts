/**
 * Settings from the environment, validated once at start-up.
 *
 * Every variable Docent reads is declared here, with its default and unit.
 * The original system's names (docs/compatibility.md, "Environment names") are accepted
 * as they are; Docent's own settings carry their unit in the name (`_MS`,
 * `_BYTES`). A bad value stops start-up with a message naming the variable.
 */
import { isIPv4, isIPv6 } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import type { FeishuSettings } from './channels/adapters/feishu.ts';
import type { SlackSettings } from './channels/adapters/slack.ts';
import type { WecomSettings } from './channels/adapters/wecom.ts';
import { DEFAULT_RETENTION_GRACE_MS } from './sessions/types.ts';

export type SessionPolicy = 'enqueue' | 'reject';
export type EngineChoice = 'auto' | 'local' | 'claude';
export type AuthMode = 'cookie' | 'open';

/** Settings shared by every pool; sizes are per pool. */
export interface PoolSettings {
  /** Most workers alive at once, starting ones included. */
  readonly maxWorkers: number;
  /** Spares (started, no session) kept ready in the background. */
  readonly minSpares: number;
  /** How long a turn may wait for a worker before a timeout (503). */
  readonly acquireTimeoutMs: number;
  /** Most turns waiting for a worker; one more fails at once. */
  readonly maxQueue: number;
  /** Most of those one user may have waiting, so one user cannot fill the queue. */
  readonly maxQueuedPerUser: number;
  /** Most workers one user may hold at once. */
  readonly maxTurnsPerUser: number;
  /** What a second turn of a busy session does: wait, or fail (409). */
  readonly sessionPolicy: SessionPolicy;
  /** Longest a turn may run before it is interrupted and its worker discarded. */
  readonly turnTimeoutMs: number;
  /** How long an interrupted worker has to settle before it is closed. */
  readonly abortGraceMs: number;
  /** Idle bound workers are closed after this long without a turn. */
  readonly idleTtlMs: number;
  /** A worker retires after this many turns. */
  readonly maxTurnsPerWorker: number;
  /** A worker retires after this long (plus up to 10% jitter). */
  readonly maxLifetimeMs: number;
  /** A worker whose resident memory passes this is retired. */
  readonly maxWorkerMemoryBytes: number;
  /** Longest a worker may take to start. */
  readonly startTimeoutMs: number;
  /** Longest a worker's close may take before the pool stops waiting for it (and frees its session). */
  readonly closeTimeoutMs: number;
  /** First back-off after a failed start; doubles up to `startBackoffMaxMs`, drawn with full jitter. */
  readonly startBackoffBaseMs: number;
  readonly startBackoffMaxMs: number;
}

/** Messenger channels: each is on when its settings are set. */
export interface ChannelSettings {
  readonly wecom?: WecomSettings;
  readonly feishu?: FeishuSettings;
  readonly slack?: SlackSettings;
  /** How long a question forwarded to an expert waits for the reply. */
  readonly handoffTimeoutMs: number;
}

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly dataDir: string;
  readonly kbRoot: string;
  /**
   * KB_WATCH: notice outside edits of the knowledge base with fs.watch. Off
   * where change notices do not work (some shared volumes); then the folder
   * is re-checked on use every kbRescanIntervalMs. @default true
   */
  readonly kbWatch: boolean;
  /** KB_RESCAN_INTERVAL_MS: without a watcher, the most often the folder is re-checked on use. @default 3000 */
  readonly kbRescanIntervalMs: number;
  readonly smallFileThresholdKb: number;
  readonly faqMaxEntries: number;
  /** Seconds of inactivity after which a session record expires. */
  readonly sessionTimeoutS: number;
  /**
   * SESSION_RETENTION: seconds after its last activity at which a
   * conversation (record and transcripts) is deleted; at least
   * sessionTimeoutS. @default sessionTimeoutS + 7 days
   */
  readonly sessionRetentionS: number;
  /** RETENTION_SWEEP_INTERVAL_MS: time between retention sweeps. @default 600000 */
  readonly retentionSweepIntervalMs: number;
  readonly maxUploadBytes: number;
  /** How uploads are converted: CONVERT_TIMEOUT_MS, CONVERT_MAX_MEMORY_MB, CONVERT_MAX_CELLS. */
  readonly convert: { readonly timeoutMs: number; readonly maxMemoryMb: number; readonly maxCells: number };
  readonly maxUploadFiles: number;
  readonly allowedOrigins: readonly string[];
  readonly redisUrl: string | undefined;
  /** Several nodes: how long a conversation's lease lasts without renewal (REDIS_LEASE_TTL_MS). */
  readonly leaseTtlMs: number;
  /** This node's name in leases and logs (NODE_ID); the host name and PID when unset. */
  readonly nodeId: string | undefined;
  readonly engine: EngineChoice;
  readonly anthropic: {
    readonly apiKey: string | undefined;
    readonly authToken: string | undefined;
    readonly baseUrl: string | undefined;
    readonly model: string | undefined;
  };
  readonly adminToken: string | undefined;
  readonly authMode: AuthMode;
  readonly trustedUserHeader: string | undefined;
  /** ADMIN_TRUSTED_NETWORKS: CIDRs whose requests are the admin's without a token. */
  readonly adminTrustedNetworks: readonly string[];
  /** TRUSTED_PROXIES: CIDRs of reverse proxies whose X-Forwarded-For is believed. */
  readonly trustedProxies: readonly string[];
  /** Mark the identity cookie `Secure` (serve over HTTPS, or behind a proxy that terminates TLS). */
  readonly secureCookie: boolean;
  /** Who may read GET /metrics: anyone who reaches the server, or only holders of the admin token. */
  readonly metricsAuth: 'none' | 'admin';
  readonly rateLimitPerMinute: number;
  /** RATE_LIMIT_PER_ADDRESS: requests a minute from one address, whatever identities it uses. */
  readonly rateLimitPerAddress: number;
  /** NEW_IDENTITIES_PER_ADDRESS: identity cookies one address may be issued a minute. */
  readonly newIdentitiesPerAddress: number;
  readonly shutdownGraceMs: number;
  readonly pools: {
    readonly employee: PoolSettings;
    readonly admin: PoolSettings;
  };
  /** Whether the operator set each pool's size; an unset one may be sized for the machine at start. */
  readonly poolSizeSet: { readonly employee: boolean; readonly admin: boolean };
  readonly channels: ChannelSettings;
}

/** Parses `10.0.0.0/8`, `192.168.1.7`, `fd00::/8`; undefined when it is none of those. */
export function parseNetwork(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  if (!family) return undefined;
  const max = family === 'ipv4' ? 32 : 128;
  if (prefixText === undefined) return { address, prefix: max, family };
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  return prefix <= max ? { address, prefix, family } : undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  readonly code = 'DOCENT_CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads variables, collecting every problem instead of stopping at the first. */
class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  /** The first of `names` that is set (aliases), trimmed; empty counts as unset. */
  raw(...names: string[]): { name: string; value: string } | undefined {
    for (const name of names) {
      const value = this.env[name]?.trim();
      if (value) return { name, value };
    }
    return undefined;
  }

  string(names: string | string[], fallback: string): string {
    return this.raw(...[names].flat())?.value ?? fallback;
  }

  optional(...names: string[]): string | undefined {
    return this.raw(...names)?.value;
  }

  /** A comma-separated list of CIDRs or addresses (`10.0.0.0/8, ::1`); empty when unset. */
  networks(name: string): readonly string[] {
    const list = (this.optional(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    const bad = list.filter((item) => parseNetwork(item) === undefined);
    if (bad.length > 0) {
      this.problems.push(
        `${name} must be comma-separated networks like 10.0.0.0/8 or 192.168.1.7, got ${bad.join(', ')}`,
      );
    }
    return Object.freeze(list.filter((item) => parseNetwork(item) !== undefined));
  }

  int(names: string | string[], fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const found = this.raw(...[names].flat());
    if (!found) return fallback;
    const parsed = z.coerce.number().int().min(min).max(max).safeParse(found.value);
    if (!parsed.success || !/^-?\d+$/.test(found.value)) {
      this.problems.push(
        `${found.name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(found.value)}`,
      );
      return fallback;
    }
    return parsed.data;
  }

  /** A duration given in seconds (the original system's unit), returned in ms. */
  secondsAsMs(names: string | string[], fallbackS: number, minS: number, maxS: number): number {
    const found = this.raw(...[names].flat());
    if (!found) return fallbackS * 1000;
    const parsed = z.coerce.number().finite().min(minS).max(maxS).safeParse(found.value);
    if (!parsed.success || !/^\d+(\.\d+)?$/.test(found.value)) {
      this.problems.push(
        `${found.name} must be a number of seconds from ${minS} to ${maxS}, got ${JSON.stringify(found.value)}`,
      );
      return fallbackS * 1000;
    }
    return Math.round(parsed.data * 1000);
  }

  oneOf<T extends string>(names: string | string[], choices: readonly T[], fallback: T): T {
    const found = this.raw(...[names].flat());
    if (!found) return fallback;
    const value = found.value.toLowerCase() as T;
    if (!choices.includes(value)) {
      this.problems.push(`${found.name} must be one of ${choices.join(', ')}, got ${JSON.stringify(found.value)}`);
      return fallback;
    }
    return value;
  }
}

const MINUTE_MS = 60_000;

/** The settings both pools share (everything but their size). */
function readSharedPoolSettings(r: Reader): Omit<PoolSettings, 'maxWorkers'> {
  return {
    minSpares: r.int('POOL_MIN_SPARES', 1, 0, 64),
    acquireTimeoutMs: r.secondsAsMs('CLIENT_POOL_MAX_WAIT', 30, 0.001, 3600),
    maxQueue: r.int('POOL_MAX_QUEUE', 256, 0, 100_000),
    maxQueuedPerUser: r.int('POOL_MAX_QUEUED_PER_USER', 4, 0, 100_000),
    maxTurnsPerUser: r.int('POOL_MAX_TURNS_PER_USER', 2, 1, 64),
    sessionPolicy: r.oneOf<SessionPolicy>('POOL_SESSION_POLICY', ['enqueue', 'reject'], 'enqueue'),
    turnTimeoutMs: r.int('POOL_TURN_TIMEOUT_MS', 5 * MINUTE_MS, 100, 24 * 60 * MINUTE_MS),
    abortGraceMs: r.int('POOL_ABORT_GRACE_MS', 2_000, 0, MINUTE_MS),
    idleTtlMs: r.int('POOL_IDLE_TTL_MS', 10 * MINUTE_MS, 100, 24 * 60 * MINUTE_MS),
    maxTurnsPerWorker: r.int('POOL_MAX_TURNS_PER_WORKER', 200, 1, 1_000_000),
    maxLifetimeMs: r.int('POOL_MAX_LIFETIME_MS', 60 * MINUTE_MS, 1_000, 7 * 24 * 60 * MINUTE_MS),
    maxWorkerMemoryBytes: r.int('POOL_MAX_WORKER_MEMORY_BYTES', 1024 * 1024 * 1024, 16 * 1024 * 1024),
    startTimeoutMs: r.int('POOL_START_TIMEOUT_MS', 60_000, 100, 10 * MINUTE_MS),
    closeTimeoutMs: r.int('POOL_CLOSE_TIMEOUT_MS', 10_000, 100, 10 * MINUTE_MS),
    startBackoffBaseMs: r.int('POOL_START_BACKOFF_BASE_MS', 500, 1, MINUTE_MS),
    startBackoffMaxMs: r.int('POOL_START_BACKOFF_MAX_MS', 30_000, 1, 10 * MINUTE_MS),
  };
}

/** Longest SESSION_RETENTION: ten years, in seconds. */
const MAX_RETENTION_S = 10 * 365 * 24 * 3600;

/** SESSION_RETENTION: its own value when set (never below the timeout), else the timeout plus the grace. */
function readRetention(r: Reader, sessionTimeoutS: number): number {
  const fallback = sessionTimeoutS + DEFAULT_RETENTION_GRACE_MS / 1000;
  const retention = r.int('SESSION_RETENTION', fallback, 60, MAX_RETENTION_S);
  if (retention < sessionTimeoutS) {
    r.problems.push(
      `SESSION_RETENTION (${retention} s) must be at least SESSION_TIMEOUT (${sessionTimeoutS} s): ` +
        'a conversation cannot be deleted while it may still be resumed',
    );
    return fallback;
  }
  return retention;
}

/**
 * Builds the frozen configuration from an environment (default: `process.env`).
 * Throws {@link ConfigError} listing every bad variable.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const r = new Reader(env);
  const employeeSize = r.int(['EMPLOYEE_CLIENT_POOL_SIZE', 'USER_CLIENT_POOL_SIZE'], 3, 1, 256);
  const adminSize = r.int('ADMIN_CLIENT_POOL_SIZE', 2, 1, 256);
  const shared = readSharedPoolSettings(r);
  const employee: PoolSettings = { ...shared, maxWorkers: employeeSize };
  const admin: PoolSettings = { ...shared, maxWorkers: adminSize };

  for (const [name, pool] of [
    ['EMPLOYEE_CLIENT_POOL_SIZE', employee],
    ['ADMIN_CLIENT_POOL_SIZE', admin],
  ] as const) {
    if (pool.minSpares > pool.maxWorkers) {
      r.problems.push(`POOL_MIN_SPARES (${pool.minSpares}) must not exceed ${name} (${pool.maxWorkers})`);
    }
  }
  if (employee.startBackoffBaseMs > employee.startBackoffMaxMs) {
    r.problems.push('POOL_START_BACKOFF_BASE_MS must not exceed POOL_START_BACKOFF_MAX_MS');
  }

  const logLevel = r.oneOf(
    'LOG_LEVEL',
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
    'info',
  );
  const rateLimitPerMinute = r.int('RATE_LIMIT_PER_MINUTE', 120, 1, 1_000_000);
  const sessionTimeoutS = r.int('SESSION_TIMEOUT', 7 * 24 * 3600, 60, 365 * 24 * 3600);
  const sessionRetentionS = readRetention(r, sessionTimeoutS);
  const config: Config = {
    host: r.string('HOST', '127.0.0.1'),
    port: r.int('PORT', 8000, 0, 65535),
    logLevel,
    dataDir: path.resolve(cwd, r.string('DATA_DIR', './data')),
    kbRoot: path.resolve(cwd, r.string('KB_ROOT_PATH', './knowledge_base')),
    kbWatch: r.oneOf('KB_WATCH', ['true', 'false'] as const, 'true') === 'true',
    kbRescanIntervalMs: r.int('KB_RESCAN_INTERVAL_MS', 3000, 100, 24 * 60 * MINUTE_MS),
    smallFileThresholdKb: r.int('SMALL_FILE_KB_THRESHOLD', 30, 1, 1_000_000),
    faqMaxEntries: r.int('FAQ_MAX_ENTRIES', 50, 1, 10_000),
    sessionTimeoutS,
    sessionRetentionS,
    retentionSweepIntervalMs: r.int('RETENTION_SWEEP_INTERVAL_MS', 10 * MINUTE_MS, 1_000, 60 * MINUTE_MS),
    maxUploadBytes: r.int('MAX_UPLOAD_SIZE', 10 * 1024 * 1024, 1, 1024 * 1024 * 1024),
    convert: {
      timeoutMs: r.int('CONVERT_TIMEOUT_MS', 120_000, 100, 3_600_000),
      maxMemoryMb: r.int('CONVERT_MAX_MEMORY_MB', 768, 64, 65_536),
      maxCells: r.int('CONVERT_MAX_CELLS', 2_000_000, 1, 1_000_000_000),
    },
    maxUploadFiles: r.int('MAX_UPLOAD_FILES', 10, 1, 100),
    allowedOrigins: (r.optional('ALLOWED_ORIGINS') ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    redisUrl: r.optional('REDIS_URL'),
    leaseTtlMs: r.int('REDIS_LEASE_TTL_MS', 15_000, 300, 10 * MINUTE_MS),
    nodeId: r.optional('NODE_ID'),
    engine: r.oneOf<EngineChoice>('DOCENT_ENGINE', ['auto', 'local', 'claude'], 'auto'),
    anthropic: {
      apiKey: r.optional('ANTHROPIC_API_KEY', 'CLAUDE_API_KEY'),
      authToken: r.optional('ANTHROPIC_AUTH_TOKEN'),
      baseUrl: r.optional('ANTHROPIC_BASE_URL'),
      model: r.optional('ANTHROPIC_MODEL', 'CLAUDE_MODEL'),
    },
    adminToken: r.optional('ADMIN_TOKEN'),
    authMode: r.oneOf<AuthMode>('AUTH_MODE', ['cookie', 'open'], 'cookie'),
    trustedUserHeader: r.optional('TRUSTED_USER_HEADER')?.toLowerCase(),
    adminTrustedNetworks: r.networks('ADMIN_TRUSTED_NETWORKS'),
    trustedProxies: r.networks('TRUSTED_PROXIES'),
    secureCookie: r.oneOf('COOKIE_SECURE', ['true', 'false'] as const, 'false') === 'true',
    metricsAuth: r.oneOf('METRICS_AUTH', ['none', 'admin'] as const, 'none'),
    rateLimitPerMinute,
    rateLimitPerAddress: r.int('RATE_LIMIT_PER_ADDRESS', 10 * rateLimitPerMinute, 1, 100_000_000),
    newIdentitiesPerAddress: r.int('NEW_IDENTITIES_PER_ADDRESS', 30, 1, 1_000_000),
    shutdownGraceMs: r.secondsAsMs('SHUTDOWN_GRACE', 30, 0, 3600),
    pools: { employee: Object.freeze(employee), admin: Object.freeze(admin) },
    poolSizeSet: {
      employee: r.raw('EMPLOYEE_CLIENT_POOL_SIZE', 'USER_CLIENT_POOL_SIZE') !== undefined,
      admin: r.raw('ADMIN_CLIENT_POOL_SIZE') !== undefined,
    },
    channels: readChannelSettings(r),
  };

  if (config.engine === 'claude' && !hasModelCredentials(config)) {
    r.problems.push('DOCENT_ENGINE=claude needs ANTHROPIC_API_KEY (or CLAUDE_API_KEY) or ANTHROPIC_AUTH_TOKEN');
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze(config);
}

/**
 * A channel's required settings: all unset means the channel is off; some set
 * and some missing is a start-up error naming the missing ones.
 */
function settingGroup<K extends string>(
  r: Reader,
  label: string,
  required: Record<K, string>,
): Record<K, string> | undefined {
  const values = Object.fromEntries(
    Object.entries<string>(required).map(([key, name]) => [key, r.optional(name)]),
  ) as Record<K, string | undefined>;
  const missing = Object.entries<string>(required)
    .filter(([key]) => !values[key as K])
    .map(([, name]) => name);
  if (missing.length === Object.keys(required).length) return undefined;
  if (missing.length > 0) {
    r.problems.push(`the ${label} channel needs ${missing.join(', ')} (its other settings are set)`);
    return undefined;
  }
  return values as Record<K, string>;
}

function readChannelSettings(r: Reader): ChannelSettings {
  const wecom = settingGroup(r, 'WeCom', {
    corpId: 'WECOM_CORP_ID',
    agentId: 'WECOM_AGENT_ID',
    secret: 'WECOM_SECRET',
    token: 'WECOM_TOKEN',
    encodingAesKey: 'WECOM_ENCODING_AES_KEY',
  });
  if (wecom && !/^[A-Za-z0-9]{43}$/.test(wecom.encodingAesKey)) {
    r.problems.push('WECOM_ENCODING_AES_KEY must be the 43 letters and digits WeCom shows');
  }
  if (wecom && !/^\d+$/.test(wecom.agentId))
    r.problems.push("WECOM_AGENT_ID must be the application's numeric AgentId");
  const feishu = settingGroup(r, 'Feishu', {
    appId: 'FEISHU_APP_ID',
    appSecret: 'FEISHU_APP_SECRET',
    verificationToken: 'FEISHU_VERIFICATION_TOKEN',
  });
  const slack = settingGroup(r, 'Slack', { botToken: 'SLACK_BOT_TOKEN', signingSecret: 'SLACK_SIGNING_SECRET' });
  const encryptKey = r.optional('FEISHU_ENCRYPT_KEY');
  return {
    ...(wecom ? { wecom: { ...wecom, apiBase: r.string('WECOM_API_BASE', 'https://qyapi.weixin.qq.com') } } : {}),
    ...(feishu
      ? {
          feishu: {
            ...feishu,
            ...(encryptKey ? { encryptKey } : {}),
            apiBase: r.string('FEISHU_API_BASE', 'https://open.feishu.cn'),
          },
        }
      : {}),
    ...(slack ? { slack: { ...slack, apiUrl: r.string('SLACK_API_URL', 'https://slack.com/api/') } } : {}),
    handoffTimeoutMs: r.secondsAsMs('EXPERT_HANDOFF_TIMEOUT', 24 * 3600, 60, 30 * 24 * 3600),
  };
}

export function hasModelCredentials(config: Config): boolean {
  return Boolean(config.anthropic.apiKey || config.anthropic.authToken);
}

/** The engine that will actually run: `auto` means claude with credentials, local without. */
export function effectiveEngine(config: Config): 'local' | 'claude' {
  if (config.engine === 'auto') return hasModelCredentials(config) ? 'claude' : 'local';
  return config.engine;
}
