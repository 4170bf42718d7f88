/**
 * Uploaded files under `<DATA_DIR>/uploads`, each stored under an opaque
 * reference Docent chooses (`upl_<32 hex>`): `<ref>.bin` holds the bytes,
 * `<ref>.json` the name the client gave. The client's name never becomes a
 * path. Unused uploads are removed after `maxAgeMs`.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { UploadResolver } from '../../engines/types.ts';

export const UPLOAD_REF_PATTERN = /^upl_[0-9a-f]{32}$/;
/** @default one day */
export const DEFAULT_UPLOAD_MAX_AGE_MS = 24 * 3600 * 1000;
const NAME_MAX_CHARS = 200;

export interface StoredUpload {
  readonly reference: string;
  readonly originalName: string;
  readonly size: number;
  readonly contentType: string;
  readonly createdAt: number;
}

export interface UploadStoreOptions {
  readonly dir: string;
  /** @default one day */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

/**
 * The client's file name reduced to a display name: no folders, no control or
 * format characters (an RTL override), at most 200 characters. A longer name
 * keeps its extension, which says how the file is converted, and is cut
 * between characters, never inside a surrogate pair.
 */
export function safeDisplayName(name: string): string {
  const base = name.normalize('NFC').split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .replace(/[\p{Cc}\p{Cf}\p{Cs}]/gu, '')
    .replace(/^[.\s]+/, '')
    .trim();
  const chars = [...cleaned];
  if (chars.length <= NAME_MAX_CHARS) return cleaned || 'upload';
  const ext = /\.[\p{L}\p{N}]{1,16}$/u.exec(cleaned)?.[0] ?? '';
  return `${chars
    .slice(0, NAME_MAX_CHARS - [...ext].length)
    .join('')
    .trimEnd()}${ext}`;
}

export class UploadStore {
  readonly dir: string;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #sweeper: NodeJS.Timeout | undefined;

  constructor(options: UploadStoreOptions) {
    this.dir = options.dir;
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_UPLOAD_MAX_AGE_MS;
    this.#now = options.now ?? Date.now;
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  #paths(reference: string): { bin: string; meta: string; part: string } {
    const base = path.join(this.dir, reference);
    return { bin: `${base}.bin`, meta: `${base}.json`, part: `${base}.part` };
  }

  /**
   * Streams one file in. Nothing is left behind if the stream fails (size
   * limit, client gone): the partial file is removed and the error rethrown.
   */
  async save(source: Readable, file: { filename: string; mimetype: string }): Promise<StoredUpload> {
    const reference = `upl_${randomBytes(16).toString('hex')}`;
    const paths = this.#paths(reference);
    try {
      await pipeline(source, createWriteStream(paths.part, { flags: 'wx', mode: 0o600 }));
      const { size } = await stat(paths.part);
      const upload: StoredUpload = {
        reference,
        originalName: safeDisplayName(file.filename),
        size,
        contentType: file.mimetype || 'application/octet-stream',
        createdAt: this.#now(),
      };
      await writeFile(paths.meta, JSON.stringify(upload), { mode: 0o600 });
      await rename(paths.part, paths.bin);
      return upload;
    } catch (error) {
      await this.remove(reference);
      throw error;
    }
  }

  async remove(reference: string): Promise<void> {
    if (!UPLOAD_REF_PATTERN.test(reference)) return;
    const paths = this.#paths(reference);
    await Promise.all([paths.bin, paths.meta, paths.part].map((p) => rm(p, { force: true })));
  }

  async get(reference: string): Promise<(StoredUpload & { path: string }) | undefined> {
    if (typeof reference !== 'string' || !UPLOAD_REF_PATTERN.test(reference)) return undefined;
    const paths = this.#paths(reference);
    try {
      const upload = JSON.parse(await readFile(paths.meta, 'utf8')) as StoredUpload;
      if (upload.createdAt + this.#maxAgeMs < this.#now()) return undefined;
      await stat(paths.bin);
      return { ...upload, path: paths.bin };
    } catch {
      return undefined;
    }
  }

  /** For the engines: only references this store issued resolve. */
  readonly resolve: UploadResolver = async (reference) => {
    const upload = await this.get(reference.trim());
    return upload && { name: upload.originalName, path: upload.path };
  };

  /** Removes uploads older than the maximum age (and stray partial files). Returns how many. */
  async sweep(now = this.#now()): Promise<number> {
    let removed = 0;
    let entries: string[];
    try {
      entries = await readdir(this.dir);
    } catch {
      return 0;
    }
    for (const entry of entries) {
      const reference = entry.replace(/\.(bin|json|part)$/, '');
      if (!UPLOAD_REF_PATTERN.test(reference) || (!entry.endsWith('.json') && !entry.endsWith('.part'))) continue;
      try {
        const { mtimeMs } = await stat(path.join(this.dir, entry));
        if (mtimeMs + this.#maxAgeMs < now) {
          await this.remove(reference);
          removed += 1;
        }
      } catch {
        // Removed concurrently: nothing to do.
      }
    }
    return removed;
  }

  /** Sweeps every `intervalMs` on an unref'd timer (it never keeps the process alive). */
  startSweeper(intervalMs = 3600 * 1000): void {
    if (this.#sweeper) return;
    this.#sweeper = setInterval(() => void this.sweep(), intervalMs);
    this.#sweeper.unref();
  }

  stopSweeper(): void {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  }
}
