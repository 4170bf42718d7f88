/** Opens the session store the configuration asks for. */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { MemorySessionStore } from './memory-store.ts';
import { SqliteSessionStore } from './sqlite-store.ts';
import type { SessionStore } from './types.ts';

export { MemorySessionStore } from './memory-store.ts';
export { SqliteSessionStore } from './sqlite-store.ts';
export type {
  NewSession,
  SessionKind,
  SessionMessage,
  SessionRecord,
  SessionStore,
  TurnRecord,
} from './types.ts';
export { titleFrom } from './types.ts';

export interface OpenSessionStoreOptions {
  /** `memory` for tests; `sqlite` keeps `<dataDir>/sessions.sqlite`. */
  readonly kind: 'sqlite' | 'memory';
  readonly dataDir: string;
  readonly timeoutS: number;
}

export function openSessionStore(options: OpenSessionStoreOptions): SessionStore {
  const timeoutMs = options.timeoutS * 1000;
  if (options.kind === 'memory') return new MemorySessionStore({ timeoutMs });
  mkdirSync(options.dataDir, { recursive: true });
  return new SqliteSessionStore({ file: path.join(options.dataDir, 'sessions.sqlite'), timeoutMs });
}
