/**
 * Ingestion of uploaded files, one after another:
 * convert → check conflicts → choose a folder → write (staged, then moved
 * into place) → index, README, overview. A failure leaves nothing behind.
 */
import { randomUUID } from 'node:crypto';
import { lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findConflicts } from './conflicts.ts';
import { isDataExtension } from './converters/extensions.ts';
import type { KbInternals } from './internals.ts';
import { journaled, recoverInterrupted } from './journal.ts';
import { exists, normaliseRelative } from './paths.ts';
import { chooseFolder, sanitiseSegment } from './placement.ts';
import { describeMarkdown } from './readme-index.ts';
import { prepareWrite } from './safe-write.ts';
import {
  type IngestOptions,
  type IngestResult,
  type IngestSource,
  type IngestStage,
  KbError,
  type Placement,
} from './types.ts';

const STAGING_DIR = '.docent-staging';

export async function ingestSources(
  kb: KbInternals,
  sources: readonly IngestSource[],
  options: IngestOptions,
): Promise<IngestResult[]> {
  const results: IngestResult[] = [];
  for (const [i, source] of sources.entries()) {
    const report = (stage: IngestStage, message?: string) =>
      options.onProgress?.({ index: i + 1, total: sources.length, name: source.name, stage, message });
    // One file at a time per knowledge base (also across processes): two uploads must not pick the same name.
    const result: IngestResult = options.signal?.aborted
      ? { name: source.name, status: 'skipped', reason: 'cancelled' }
      : await kb.locks
          .with('INGEST', () => ingestOne(kb, source, options, report))
          .catch((error: unknown): IngestResult => {
            const reason = error instanceof Error ? error.message : String(error);
            kb.logger?.warn({ err: error, name: source.name }, 'ingestion failed');
            return { name: source.name, status: 'failed', reason };
          });
    results.push(result);
    report(result.status, result.reason ?? result.path);
  }
  return results;
}

async function ingestOne(
  kb: KbInternals,
  source: IngestSource,
  options: IngestOptions,
  report: (stage: IngestStage, message?: string) => void,
): Promise<IngestResult> {
  const name = path.basename(String(source.name).replace(/\\/g, '/')).replace(/\0/g, '');
  const ext = path.extname(name).toLowerCase();
  const stem = sanitiseSegment(name.slice(0, name.length - ext.length)) || 'document';
  if (!path.isAbsolute(source.sourcePath)) {
    throw new KbError('KB_PATH_INVALID', `${name}: the upload reference did not resolve to a stored file`);
  }

  // Under the INGEST lock no other ingestion or delete runs: a journal was left by a process killed
  // mid-way. Finished first, so that names, conflicts and folders are judged without its half.
  await recoverInterrupted(kb);

  report('converting');
  const converted = await kb.converter.convert(source.sourcePath, name, stem, kb.limits);

  report('checking');
  const conflicts = options.force ? [] : findConflicts(kb.index, converted.markdown);
  if (conflicts.length > 0) {
    return {
      name: source.name,
      status: 'conflict',
      reason: conflicts.some((c) => c.kind === 'duplicate')
        ? 'very similar to an existing document'
        : 'states figures that disagree with an existing document',
      conflicts,
    };
  }
  options.signal?.throwIfAborted();

  report('placing');
  const placement = options.folder ? chosenFolder(options.folder) : chooseFolder(kb.index, converted.markdown, stem);
  const folder = placement.folder;
  const isData = isDataExtension(ext);
  const base = await freeStem(kb.root, folder, stem, ext, isData);
  const docRel = `${folder}/${isData ? `${base}${ext}.md` : `${base}.md`}`;
  const planned: { staged: string; target: string }[] = [];
  // Under the INGEST lock no other ingestion is staging: what is there was left by a process killed mid-way.
  await rm(path.join(kb.root, STAGING_DIR), { recursive: true, force: true });
  // Staging and targets are checked like every write (safe-write.ts): a
  // symlinked folder in the knowledge base must not carry files outside it.
  const staging = path.dirname(await prepareWrite(kb.root, `${STAGING_DIR}/${randomUUID()}/doc.md`));
  try {
    const stage = async (rel: string, data: string | Uint8Array) => {
      const staged = path.join(staging, rel);
      await mkdir(path.dirname(staged), { recursive: true });
      await writeFile(staged, data);
      return staged;
    };
    planned.push({ staged: await stage('doc.md', converted.markdown), target: docRel });
    if (isData && converted.data) {
      planned.push({ staged: await stage('data', converted.data), target: `${folder}/${base}${ext}` });
    }
    if (converted.images.length > 0) {
      for (const image of converted.images) await stage(`images/${image.name}`, image.data);
      planned.push({ staged: path.join(staging, 'images'), target: `${folder}/${base}_images` });
    }
    report('indexing');
    // The targets were free (freeStem): unless every move is made, all of them go (journal.ts).
    await journaled(
      kb.root,
      'ingest',
      planned.map((p) => p.target),
      async () => {
        for (const { staged, target } of planned) await rename(staged, await prepareWrite(kb.root, target));
      },
    );
  } finally {
    await rm(staging, { recursive: true, force: true });
  }

  const description = describeMarkdown(converted.markdown, base);
  kb.index.setDescription(docRel, description);
  if (isData) kb.index.setDescription(`${folder}/${base}${ext}`, description);
  await kb.syncPaths([docRel]);
  // The document is in from here: what follows is derived (its overview, the README index), written
  // again by the next rebuild or ingestion. Its failure is told, not reported as a failed ingestion.
  try {
    await kb.refreshOverview(docRel);
    await kb.refreshReadme();
  } catch (error) {
    kb.logger?.warn({ err: error, path: docRel }, 'document added; its overview or the README index not written');
    const why = error instanceof Error ? error.message : String(error);
    return {
      name: source.name,
      status: 'added',
      path: docRel,
      placement,
      reason: `added, but its overview or the README index could not be written (${why}); a rebuild writes them`,
    };
  }
  return { name: source.name, status: 'added', path: docRel, placement };
}

/** The folder an admin chose: a plain relative folder, every segment safe, not one of Docent's own. */
function chosenFolder(input: string): Placement {
  const rel = normaliseRelative(input);
  const segments = rel.split('/');
  if (rel === '' || segments.some((s) => s !== sanitiseSegment(s) || s.startsWith('.'))) {
    throw new KbError('KB_PATH_INVALID', `Not a folder name Docent can use: ${input}`);
  }
  if (segments[0] === 'contents_overview') {
    throw new KbError('KB_PATH_INVALID', 'contents_overview is generated by Docent');
  }
  return { folder: rel, created: false, reason: 'chosen by the administrator', basis: { kind: 'chosen' } };
}

/** `stem`, or `stem-2`, `stem-3`… so nothing existing is overwritten. */
async function freeStem(root: string, folder: string, stem: string, ext: string, isData: boolean): Promise<string> {
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? stem : `${stem}-${n}`;
    const names = isData ? [`${candidate}${ext}`, `${candidate}${ext}.md`] : [`${candidate}.md`, `${candidate}_images`];
    const taken = await Promise.all(names.map((n2) => exists(path.join(root, folder, n2), lstat)));
    if (!taken.some(Boolean)) return candidate;
  }
  throw new KbError('KB_PATH_INVALID', `Too many files named ${stem} in ${folder}`);
}
