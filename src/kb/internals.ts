/** What the knowledge base's helper modules (ingest, delete, feedback) may use of it. */
import type { Logger } from '../logger.ts';
import type { IsolatedConverter } from './converters/isolated.ts';
import type { ConvertLimits } from './converters/limits.ts';
import type { WriteLocks } from './locks.ts';
import type { SearchIndex } from './search-index.ts';
import type { BadCase, FaqRow } from './types.ts';

/** The conversion limits (largest upload, largest Markdown it may become, CONVERT_MAX_CELLS), and the rest. */
export interface KbLimits extends ConvertLimits {
  /** Files at or above this size get a contents overview. */
  readonly smallFileThresholdBytes: number;
  readonly faqMaxEntries: number;
  /** Largest file read() returns whole. */
  readonly maxReadBytes: number;
}

export interface KbInternals {
  readonly root: string;
  readonly index: SearchIndex;
  readonly locks: WriteLocks;
  readonly limits: KbLimits;
  readonly logger?: Logger;
  /** Converts uploads off the event loop, bounded in memory and time. */
  readonly converter: IsolatedConverter;
  /** Brings the index in line with the disk for these paths (re-read, or drop when gone). */
  syncPaths(paths: readonly string[]): Promise<void>;
  /** Rewrites README.md (and sub-READMEs) from the files on disk. */
  refreshReadme(): Promise<void>;
  /** Writes or removes the contents overview of a file according to its size. */
  refreshOverview(rel: string): Promise<void>;
  /** Reads FAQ rows, lets `change` return the new rows (or undefined for no change), writes them; all under the FAQ lock. */
  updateFaq(change: (rows: FaqRow[]) => FaqRow[] | undefined): Promise<FaqRow[]>;
  appendBadCase(entry: Omit<BadCase, 'date'>): Promise<void>;
}
