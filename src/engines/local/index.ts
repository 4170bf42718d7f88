/** The offline engine: in-process agents that run both roles' workflows on the knowledge-base toolset. */
import type { KnowledgeBase } from '../../kb/types.ts';
import type { Logger } from '../../logger.ts';
import type { AgentWorkerFactory, Role, UploadResolver } from '../types.ts';
import { LocalWorker } from './local-worker.ts';
import { SessionMemory } from './session-memory.ts';

export { composeAnswer, MIN_COVERAGE } from './answer-composer.ts';
export { LocalWorker } from './local-worker.ts';
export { parseUploadMessage } from './upload-message.ts';

export interface LocalWorkerFactoryOptions {
  readonly kb: KnowledgeBase;
  readonly role: Role;
  /** Turns `(path: <ref>)` of an upload message into stored bytes; the only way uploads are found. */
  readonly resolveUpload: UploadResolver;
  readonly logger?: Logger;
}

export function createLocalWorkerFactory(options: LocalWorkerFactoryOptions): AgentWorkerFactory {
  const memory = new SessionMemory();
  return {
    async start(start) {
      start.signal.throwIfAborted();
      return new LocalWorker({ ...options, memory, sessionId: start.session?.id });
    },
  };
}
