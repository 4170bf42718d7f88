/**
 * Deletes what the CLI keeps of conversations no session record names any
 * more: transcripts of sessions deleted before deletion removed them, of
 * records a Redis TTL dropped, of a deletion that failed half-way; state
 * files of such sessions.
 *
 * A transcript is named when its CLI id is a kept session's id, or when the
 * state file of a kept session points at it. State files written before they
 * recorded their session cannot say whose they are: they (and what they point
 * at) are kept until they have not been written for the whole retention, as
 * no kept conversation can be that quiet (every turn rewrites its state).
 * Whatever a live worker holds, and anything written recently, is left alone
 * whatever the records say.
 *
 * Two passes, states then transcripts, a page at a time with a yield to the
 * event loop between pages; the sweep stops once it deleted `limit` files and
 * the next sweep goes on from there.
 */
import { setImmediate as nextTick } from 'node:timers/promises';
import type { OrphanSweepRequest, StoredFiles } from '../types.ts';
import type { StateFile, TranscriptStore } from './transcripts.ts';

/** Files looked at between two yields, and ids asked about in one `known` call. */
const PAGE = 100;

async function* pages<T>(items: AsyncIterable<T>): AsyncGenerator<T[]> {
  let page: T[] = [];
  for await (const item of items) {
    page.push(item);
    if (page.length >= PAGE) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

export interface OrphanSweepDeps {
  readonly transcripts: TranscriptStore;
  /** Docent session ids and CLI session ids that live workers hold now. */
  readonly live: () => ReadonlySet<string>;
}

export async function sweepOrphans(deps: OrphanSweepDeps, request: OrphanSweepRequest): Promise<StoredFiles> {
  const { transcripts } = deps;
  const removed = { files: 0, bytes: 0 };
  const take = (files: StoredFiles) => {
    removed.files += files.files;
    removed.bytes += files.bytes;
  };
  const full = () => removed.files >= request.limit;
  const recent = (modifiedAt: number) => modifiedAt >= request.untouchedBefore;
  // CLI ids some kept (or possibly kept) session's state points at.
  const named = new Set<string>();

  for await (const page of pages(transcripts.states())) {
    const owners = page.flatMap((file) => (file.state?.session === undefined ? [] : [file.state.session]));
    const known = await request.known(owners);
    const live = deps.live();
    for (const file of page) {
      if (ownerKept(file, known, live, request.expiredBefore) || recent(file.modifiedAt)) {
        if (file.state) named.add(file.state.cli);
        continue;
      }
      if (full()) return removed;
      take(await transcripts.removeState(file));
    }
    await nextTick();
  }

  for await (const page of pages(transcripts.conversations())) {
    const live = deps.live();
    const unnamed = page.filter((c) => !named.has(c.cli) && !live.has(c.cli) && !recent(c.modifiedAt));
    const known = await request.known(unnamed.map((c) => c.cli));
    for (const conversation of unnamed) {
      if (known.has(conversation.cli)) continue;
      if (full()) return removed;
      take(await transcripts.removeConversation(conversation.cli));
    }
    await nextTick();
  }
  return removed;
}

function ownerKept(
  file: StateFile,
  known: ReadonlySet<string>,
  live: ReadonlySet<string>,
  expiredBefore: number,
): boolean {
  const owner = file.state?.session;
  if (owner !== undefined) return known.has(owner) || live.has(owner);
  // An unreadable file, or one written before states named their session.
  return file.state !== undefined && file.modifiedAt >= expiredBefore;
}
