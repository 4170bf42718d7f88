/** Pool event listeners: a listener that throws is logged and never breaks the pool. */
import type { Logger } from '../logger.ts';
import type { PoolEvent } from './types.ts';

export class EventHub {
  readonly #listeners = new Set<(event: PoolEvent) => void>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(logger: Logger | undefined, poolName: string) {
    this.#onListenerError = (error) => logger?.error({ pool: poolName, err: error }, 'pool event listener threw');
  }

  /** True when someone listens: lets the warm path skip building events nobody reads. */
  get active(): boolean {
    return this.#listeners.size > 0;
  }

  on(listener: (event: PoolEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  emit(event: PoolEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}
