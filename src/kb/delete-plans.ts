/** Two-step delete: a plan lists everything that will go; only its token carries it out. */
import { randomUUID } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { LRUCache } from 'lru-cache';
import type { KbInternals } from './internals.ts';
import { journaled, recoverInterrupted } from './journal.ts';
import { isListed, withCompanions } from './kb-files.ts';
import { existingOverviewOf } from './overview.ts';
import { exists, resolveInside } from './paths.ts';
import { removeInside } from './safe-write.ts';
import { type DeletePlan, KbError } from './types.ts';

const PLAN_TTL_MS = 5 * 60_000;
const MAX_PLANS = 1000;

export class DeletePlans {
  readonly #plans = new LRUCache<string, string[]>({ max: MAX_PLANS, ttl: PLAN_TTL_MS });

  async plan(kb: KbInternals, input: string): Promise<DeletePlan> {
    const { abs, rel } = await resolveInside(kb.root, input);
    const info = await lstat(abs).catch(() => undefined);
    if (!info) throw new KbError('KB_NOT_FOUND', `No such file: ${rel}`);
    if (!info.isFile()) throw new KbError('KB_NOT_A_FILE', `Not a file: ${rel}`);
    if (!isListed(rel)) throw new KbError('KB_PATH_INVALID', `${rel} is a system file and cannot be deleted`);
    const paths = await withCompanions(kb.root, rel);
    const overview = await existingOverviewOf(kb.root, rel);
    if (overview) paths.push(overview);
    const token = randomUUID();
    this.#plans.set(token, paths);
    return { token, paths };
  }

  async confirm(kb: KbInternals, token: string): Promise<{ deleted: string[] }> {
    const paths = this.#plans.get(token);
    if (!paths) throw new KbError('KB_DELETE_TOKEN_INVALID', 'This delete is unknown or expired; plan it again');
    this.#plans.delete(token);
    // Under the structure lock, as ingestion: with several nodes, one change of the tree at a time.
    const deleted: string[] = await kb.locks.with('INGEST', async () => {
      await recoverInterrupted(kb);
      const gone: string[] = [];
      for (const rel of paths) {
        // Re-check confinement: the tree may have changed since planning.
        const { abs } = await resolveInside(kb.root, rel);
        if (await exists(abs, lstat)) gone.push(rel);
      }
      // A file and its companions go together, even when the process is killed between them (journal.ts).
      await journaled(kb.root, 'delete', gone, async () => {
        for (const rel of gone) await removeInside(kb.root, rel);
      });
      await kb.syncPaths(paths);
      await kb.refreshReadme();
      return gone;
    });
    return { deleted };
  }
}
