/**
 * The pool's two shutdowns (drain-then-close, destroy-now), both idempotent:
 * the draining flag, the promise resolved once when the last worker is gone
 * (no polling: the pool calls `checkDrained` whenever a worker goes), and the
 * grace timer after which leases still out are revoked. What to fail, close
 * and revoke is the pool's business, through `ShutdownHost`.
 *
 *   open ──drain(grace)──► draining ──(last worker gone)──► drained
 *                             └─(grace over, or destroy)─► leases revoked
 */

export interface ShutdownHost {
  /** Stops starts, fails waiting turns and closes spare and idle workers. */
  stopAdmitting(): void;
  /** Leases are still out. */
  hasBusyWorkers(): boolean;
  /** Workers held or starting, closing ones included. */
  totalWorkers(): number;
  revokeLeases(): void;
  drainStarted(): void;
  drained(): void;
}

export class PoolShutdown {
  readonly #host: ShutdownHost;
  #draining = false;
  #drained: Promise<void> | undefined;
  #resolveDrained: (() => void) | undefined;
  #graceTimer: NodeJS.Timeout | undefined;

  constructor(host: ShutdownHost) {
    this.#host = host;
  }

  get draining(): boolean {
    return this.#draining;
  }

  drain(graceMs: number): Promise<void> {
    if (this.#drained !== undefined) return this.#drained;
    this.#draining = true;
    const drained = new Promise<void>((resolve) => {
      this.#resolveDrained = resolve;
    });
    this.#drained = drained;
    this.#host.drainStarted();
    this.#host.stopAdmitting();
    if (this.#host.hasBusyWorkers()) {
      this.#graceTimer = setTimeout(() => this.#revokeAll(), Math.max(0, graceMs));
    }
    this.checkDrained();
    return drained;
  }

  destroy(): Promise<void> {
    const drained = this.drain(0);
    this.#revokeAll();
    return drained;
  }

  /** Resolves the drain once no worker is left (a no-op unless draining). */
  checkDrained(): void {
    if (this.#resolveDrained === undefined || this.#host.totalWorkers() > 0) return;
    const resolve = this.#resolveDrained;
    this.#resolveDrained = undefined;
    clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    this.#host.drained();
    resolve();
  }

  #revokeAll(): void {
    clearTimeout(this.#graceTimer);
    this.#graceTimer = undefined;
    this.#host.revokeLeases();
  }
}
