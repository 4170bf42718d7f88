/** The offline engine: in-process agents that run both roles' workflows on the knowledge-base toolset. */
import type { KnowledgeBase } from '../../kb/types.ts';
import type { Logger } from '../../logger.ts';
import {
  type AgentWorkerFactory,
  type ConversationStorage,
  NO_CONVERSATION_FILES,
  type Role,
  type UploadResolver,
} from '../types.ts';
import { LocalWorker } from './local-worker.ts';
import { SessionMemory } from './session-memory.ts';

export interface LocalWorkerFactoryOptions {
  readonly kb: KnowledgeBase;
  readonly role: Role;
  /** Turns `(path: <ref>)` of an upload message into stored bytes; the only way uploads are found. */
  readonly resolveUpload: UploadResolver;
  readonly logger?: Logger;
  /** What the workers remember between turns. @default a memory of this factory's own */
  readonly memory?: SessionMemory;
}

export function createLocalWorkerFactory(options: LocalWorkerFactoryOptions): AgentWorkerFactory {
  const memory = options.memory ?? new SessionMemory();
  return {
    async start(start) {
      start.signal.throwIfAborted();
      return new LocalWorker({ ...options, memory, sessionId: start.session?.id });
    },
  };
}

/** Both roles' factories, and the engine's conversations: kept in memory only, so forgetting one is dropping it. */
export interface LocalEngine extends ConversationStorage {
  factory(role: Role): AgentWorkerFactory;
}

export function createLocalEngine(options: Omit<LocalWorkerFactoryOptions, 'role' | 'memory'>): LocalEngine {
  const memories: Record<Role, SessionMemory> = { employee: new SessionMemory(), admin: new SessionMemory() };
  const factories: Record<Role, AgentWorkerFactory> = {
    employee: createLocalWorkerFactory({ ...options, role: 'employee', memory: memories.employee }),
    admin: createLocalWorkerFactory({ ...options, role: 'admin', memory: memories.admin }),
  };
  return {
    ...NO_CONVERSATION_FILES,
    factory: (role) => factories[role],
    forgetSession: async (sessionId) => {
      for (const memory of Object.values(memories)) memory.forget(sessionId);
      return { files: 0, bytes: 0 };
    },
  };
}
