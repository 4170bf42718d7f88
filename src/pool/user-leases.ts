/** Workers held per user (leases out), for maxTurnsPerUser; users holding none are not kept. */
export class UserLeases {
  readonly #held = new Map<string, number>();

  /** Leases the user holds now. */
  load(userId: string): number {
    return this.#held.get(userId) ?? 0;
  }

  add(userId: string): void {
    this.#held.set(userId, (this.#held.get(userId) ?? 0) + 1);
  }

  release(userId: string): void {
    const held = this.#held.get(userId)! - 1;
    if (held === 0) this.#held.delete(userId);
    else this.#held.set(userId, held);
  }
}
