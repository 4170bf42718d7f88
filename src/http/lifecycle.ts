/** Readiness: starting until main says ready, draining once shutdown begins. */
export type LifecycleState = 'starting' | 'ready' | 'draining';

export class Lifecycle {
  #state: LifecycleState;

  constructor(initial: LifecycleState = 'starting') {
    this.#state = initial;
  }

  get state(): LifecycleState {
    return this.#state;
  }

  markReady(): void {
    if (this.#state === 'starting') this.#state = 'ready';
  }

  /** One-way: a draining service never becomes ready again. */
  markDraining(): void {
    this.#state = 'draining';
  }
}
