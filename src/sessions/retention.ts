/**
 * Retention: how long conversations are kept, and the sweep that deletes
 * them when that time is up.
 *
 * A conversation is kept for `retentionMs` after its last activity
 * (SESSION_RETENTION, at least SESSION_TIMEOUT): resumable until the
 * timeout, then archived, then deleted, record and transcripts together. Each
 * sweep:
 *   1. archives records idle past the timeout (SessionStore.expire);
 *   2. deletes up to SWEEP_BATCH conversations past retention
 *      (Conversations.delete: record, then the engine's files);
 *   3. asks the engine to delete up to SWEEP_BATCH orphan files (files no
 *      record names, untouched for ORPHAN_MIN_AGE_MS).
 * Pages are small and the sweep yields to the event loop between them, so
 * turns keep running. A sweep that reached a bound is followed by the next
 * one after BACKLOG_PAUSE_MS instead of the whole interval, so a backlog (the
 * first sweep after an upgrade) drains in bounded steps. One timer, unref'd,
 * re-armed after each sweep (sweeps never overlap); stop() ends it.
 */
import { setImmediate as nextTick } from 'node:timers/promises';
import type { ConversationStorage, StoredFiles } from '../engines/types.ts';
import type { Logger } from '../logger.ts';
import { Conversations } from './conversations.ts';
import type { SessionStore } from './types.ts';

/** Most conversations, and most orphan files, one sweep deletes. */
export const SWEEP_BATCH = 200;
/** Conversations deleted between two yields to the event loop. */
const PAGE = 50;
/** The wait before the next sweep when this one left work behind. */
const BACKLOG_PAUSE_MS = 1_000;
/**
 * Unnamed files younger than this are not orphans yet: a new conversation's
 * files may reach the disk a moment before anything names them, and an hour
 * costs nothing against a retention counted in days.
 */
export const ORPHAN_MIN_AGE_MS = 60 * 60_000;
/** Disk use is measured again when older than this (the dashboard polls every few seconds). */
const DISK_MAX_AGE_MS = 30_000;

export interface RetentionOptions {
  readonly sessions: SessionStore;
  readonly conversations: Conversations;
  readonly storage: ConversationStorage;
  readonly logger: Logger;
  /** How long after its last activity a conversation is deleted. */
  readonly retentionMs: number;
  /** Time between sweeps. */
  readonly intervalMs: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface SweepReport {
  /** When it started (epoch ms). */
  readonly at: number;
  readonly durationMs: number;
  /** Records archived for being idle past the timeout. */
  readonly archived: number;
  /** Conversations deleted for being past retention. */
  readonly conversationsDeleted: number;
  /** Their files (those deleted at once; a conversation with a turn in flight loses its files when the turn ends). */
  readonly files: StoredFiles;
  /** Orphan files deleted. */
  readonly orphans: StoredFiles;
  /** A bound was reached: the next sweep comes after a short pause. */
  readonly more: boolean;
  /** Why the sweep stopped early, if it failed. */
  readonly error?: string;
}

export interface RetentionSnapshot {
  readonly retentionMs: number;
  readonly sweepIntervalMs: number;
  /** What the engine's conversations take on disk, and when that was measured (epoch ms). */
  readonly disk: StoredFiles & { readonly measuredAt: number };
  readonly lastSweep: SweepReport | null;
  readonly totals: {
    readonly sweeps: number;
    readonly conversationsDeleted: number;
    readonly filesDeleted: number;
    readonly bytesDeleted: number;
    readonly orphanFilesDeleted: number;
  };
}

/** What the HTTP layer reads (stats and metrics). */
export interface RetentionReport {
  snapshot(): Promise<RetentionSnapshot>;
}

export class RetentionSweeper implements RetentionReport {
  readonly #options: RetentionOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<SweepReport> | undefined;
  #stopped = false;
  #started = false;
  #last: SweepReport | null = null;
  #totals = { sweeps: 0, conversationsDeleted: 0, filesDeleted: 0, bytesDeleted: 0, orphanFilesDeleted: 0 };
  #disk: StoredFiles & { measuredAt: number } = { files: 0, bytes: 0, measuredAt: 0 };
  #measuring: Promise<void> | undefined;

  constructor(options: RetentionOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Runs a first sweep now (not awaited), then one every interval. Idempotent. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#arm(0);
  }

  /** No more sweeps; resolves once a sweep in progress has stopped (it ends at its next page). Idempotent. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => {});
  }

  /** One sweep (the one in progress, if any). `now` is for tests. */
  sweep(now = this.#now()): Promise<SweepReport> {
    this.#running ??= this.#sweep(now).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async snapshot(): Promise<RetentionSnapshot> {
    if (this.#now() - this.#disk.measuredAt > DISK_MAX_AGE_MS) await this.#measure();
    const { retentionMs, intervalMs } = this.#options;
    return {
      retentionMs,
      sweepIntervalMs: intervalMs,
      disk: { ...this.#disk },
      lastSweep: this.#last,
      totals: { ...this.#totals },
    };
  }

  #arm(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.sweep().then(
        (report) => this.#arm(report.more ? BACKLOG_PAUSE_MS : this.#options.intervalMs),
        () => this.#arm(this.#options.intervalMs),
      );
    }, delayMs);
    this.#timer.unref();
  }

  #measure(): Promise<void> {
    this.#measuring ??= this.#options.storage
      .usage()
      .then((usage) => {
        this.#disk = { ...usage, measuredAt: this.#now() };
      })
      .catch((error: unknown) => {
        this.#options.logger.warn({ err: error }, "could not measure the conversations' disk use");
      })
      .finally(() => {
        this.#measuring = undefined;
      });
    return this.#measuring;
  }

  async #sweep(now: number): Promise<SweepReport> {
    const { sessions, conversations, storage, retentionMs, logger } = this.#options;
    const started = performance.now();
    const files = { files: 0, bytes: 0 };
    let orphans: StoredFiles = { files: 0, bytes: 0 };
    let archived = 0;
    let deleted = 0;
    let error: string | undefined;
    try {
      archived = await sessions.expire(now);
      const before = now - retentionMs;
      while (deleted < SWEEP_BATCH && !this.#stopped) {
        const ids = await sessions.staleIds(before, Math.min(PAGE, SWEEP_BATCH - deleted));
        if (ids.length === 0) break;
        for (const id of ids) {
          const outcome = await conversations.delete(id);
          deleted += 1;
          files.files += outcome.removed?.files ?? 0;
          files.bytes += outcome.removed?.bytes ?? 0;
        }
        await nextTick();
      }
      if (!this.#stopped) {
        orphans = await storage.sweepOrphans({
          limit: SWEEP_BATCH,
          known: (ids) => sessions.existing(ids),
          untouchedBefore: now - ORPHAN_MIN_AGE_MS,
          expiredBefore: before,
        });
      }
    } catch (failure) {
      error = failure instanceof Error ? failure.message : String(failure);
    }
    const report: SweepReport = {
      at: now,
      durationMs: Math.round(performance.now() - started),
      archived,
      conversationsDeleted: deleted,
      files,
      orphans,
      more: error === undefined && (deleted >= SWEEP_BATCH || orphans.files >= SWEEP_BATCH),
      ...(error === undefined ? {} : { error }),
    };
    this.#record(report);
    await this.#measure();
    const logged = {
      archived,
      conversationsDeleted: deleted,
      filesDeleted: files.files,
      orphanFilesDeleted: orphans.files,
      bytesFreed: files.bytes + orphans.bytes,
      durationMs: report.durationMs,
      more: report.more,
      diskBytes: this.#disk.bytes,
      diskFiles: this.#disk.files,
    };
    if (error === undefined) logger.info(logged, 'retention sweep');
    else logger.warn({ ...logged, error }, 'retention sweep failed; the next one goes on');
    return report;
  }

  #record(report: SweepReport): void {
    this.#last = report;
    this.#totals = {
      sweeps: this.#totals.sweeps + 1,
      conversationsDeleted: this.#totals.conversationsDeleted + report.conversationsDeleted,
      filesDeleted: this.#totals.filesDeleted + report.files.files,
      bytesDeleted: this.#totals.bytesDeleted + report.files.bytes + report.orphans.bytes,
      orphanFilesDeleted: this.#totals.orphanFilesDeleted + report.orphans.files,
    };
  }
}

/** A server's conversations and their retention sweep, as its settings say (the sweep is not started). */
export function keepConversations(
  settings: { readonly sessionRetentionS: number; readonly retentionSweepIntervalMs: number },
  deps: { readonly sessions: SessionStore; readonly storage: ConversationStorage; readonly logger: Logger },
): { conversations: Conversations; retention: RetentionSweeper } {
  const conversations = new Conversations(deps);
  const retention = new RetentionSweeper({
    ...deps,
    conversations,
    retentionMs: settings.sessionRetentionS * 1000,
    intervalMs: settings.retentionSweepIntervalMs,
  });
  return { conversations, retention };
}
