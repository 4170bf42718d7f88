/** Readiness: starting until main says ready, draining once shutdown begins. */
export type LifecycleState = 'starting' | 'ready' | 'draining';

export class Lifecycle {
  #state: LifecycleState;
  readonly #dependencies = new Map<string, () => boolean>();

  constructor(initial: LifecycleState = 'starting') {
    this.#state = initial;
  }

  get state(): LifecycleState {
    return this.#state;
  }

  markReady(): void {
    if (this.#state === 'starting') this.#state = 'ready';
  }

  /** Something the node cannot serve without (Redis, with several nodes): readiness is false while it is down. */
  addDependency(name: string, isUp: () => boolean): void {
    this.#dependencies.set(name, isUp);
  }

  /** The dependencies that are down now. */
  unavailable(): string[] {
    return [...this.#dependencies].filter(([, isUp]) => !isUp()).map(([name]) => name);
  }

  /** One-way: a draining service never becomes ready again. */
  markDraining(): void {
    this.#state = 'draining';
  }
}
