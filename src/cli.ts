/**
 * The command line: `docent ask "<question>"` answers with the offline
 * engine's employee workflow, `docent ingest <files...>` adds files to the
 * knowledge base at KB_ROOT_PATH (progress bar on a terminal, plain lines
 * otherwise).
 *
 * Exit codes: 0 done, 1 failure, 2 usage error, 3 no answer found,
 * 4 some files were not added (conflict or failure).
 */

import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { hasSourcesHeading } from './agents/answer-format.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLocalWorkerFactory } from './engines/local/index.ts';
import { openKnowledgeBase } from './kb/index.ts';
import type { IngestProgress, IngestResult, KnowledgeBase } from './kb/types.ts';

export const EXIT = { ok: 0, failure: 1, usage: 2, noAnswer: 3, notAllAdded: 4 } as const;

const USAGE = `Usage:
  docent ask "<question>"            answer a question from the knowledge base
  docent ingest [--force] <files...>  add files (md, txt, docx, pdf, pptx, html, xlsx, csv)
  docent help                        show this help

The knowledge base is KB_ROOT_PATH (default ./knowledge_base).`;

const SAMPLE_KB = path.resolve(import.meta.dirname, '..', 'samples', 'knowledge_base');

class UsageError extends Error {}

export interface CliIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === 'help' || command === '--help' || command === '-h') {
      io.out.write(`${USAGE}\n`);
      return command ? EXIT.ok : EXIT.usage;
    }
    if (command !== 'ask' && command !== 'ingest') throw new UsageError(`Unknown command "${command}".`);
    const config = loadConfig(io.env, io.cwd);
    const kb = await openKnowledgeBase({
      root: config.kbRoot,
      smallFileThresholdKb: config.smallFileThresholdKb,
      faqMaxEntries: config.faqMaxEntries,
      maxCells: config.convert.maxCells,
      isolation: { timeoutMs: config.convert.timeoutMs, maxMemoryMb: config.convert.maxMemoryMb },
      seedFrom: SAMPLE_KB,
      watch: false,
    });
    try {
      return command === 'ask' ? await ask(kb, rest, io) : await ingest(kb, rest, io);
    } finally {
      await kb.close();
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err.write(`docent: ${error.message}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      io.err.write(`docent: ${error.message}\n`);
      return EXIT.usage;
    }
    io.err.write(`docent: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failure;
  }
}

async function ask(kb: KnowledgeBase, args: readonly string[], io: CliIo): Promise<number> {
  const question = args.join(' ').trim();
  if (!question) throw new UsageError('ask needs a question, e.g. docent ask "How many days of leave do I get?"');
  if (question.length > 4000) throw new UsageError('The question is too long (at most 4000 characters).');
  const factory = createLocalWorkerFactory({ kb, role: 'employee', resolveUpload: async () => undefined });
  const worker = await factory.start({ signal: new AbortController().signal });
  let text = '';
  let failed = false;
  try {
    for await (const event of worker.runTurn({
      session: { id: `cli-${process.pid}`, isNew: true },
      userId: 'cli',
      input: { message: question },
      signal: new AbortController().signal,
    })) {
      if (event.type === 'text') {
        text += event.text;
        io.out.write(event.text);
      } else if (event.type === 'error') {
        failed = true;
        io.err.write(`docent: ${event.message}\n`);
      }
    }
  } finally {
    await worker.close();
  }
  io.out.write('\n');
  if (failed) return EXIT.failure;
  return hasSourcesHeading(text) ? EXIT.ok : EXIT.noAnswer;
}

async function ingest(kb: KnowledgeBase, args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { force: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  }).valueOf() as { values: { force?: boolean }; positionals: string[] };
  if (positionals.length === 0) throw new UsageError('ingest needs at least one file.');
  const sources = [];
  for (const file of positionals) {
    const abs = path.resolve(io.cwd, file);
    const info = await stat(abs).catch(() => undefined);
    if (!info?.isFile()) throw new UsageError(`Not a file: ${file}`);
    sources.push({ name: path.basename(abs), sourcePath: abs });
  }
  const progress = io.err.isTTY ? new ProgressBar(io.err) : undefined;
  const results = await kb.ingest(sources, {
    force: values.force ?? false,
    onProgress: (p) => (progress ? progress.update(p) : plainProgress(io, p)),
  });
  progress?.done();
  for (const result of results) io.out.write(`${describe(result)}\n`);
  const added = results.filter((r) => r.status === 'added').length;
  io.out.write(`${added}/${results.length} added\n`);
  return added === results.length ? EXIT.ok : EXIT.notAllAdded;
}

function plainProgress(io: CliIo, p: IngestProgress): void {
  if (p.stage === 'converting') io.err.write(`${p.index}/${p.total} ${p.name}\n`);
}

function describe(result: IngestResult): string {
  switch (result.status) {
    case 'added':
      return `added     ${result.name} -> ${result.path}`;
    case 'conflict':
      return [
        `conflict  ${result.name}: ${result.reason} (use --force to add anyway)`,
        ...(result.conflicts ?? []).map(
          (c) =>
            `          ${c.kind} with ${c.existingPath}:${c.existingLines}\n            existing: ${clip(c.existingText)}\n            new:      ${clip(c.incomingText)}`,
        ),
      ].join('\n');
    default:
      return `${result.status.padEnd(9)} ${result.name}: ${result.reason ?? ''}`;
  }
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}

/** A one-line progress bar redrawn in place on a terminal. */
class ProgressBar {
  readonly #stream: CliIo['err'];
  constructor(stream: CliIo['err']) {
    this.#stream = stream;
  }

  update(p: IngestProgress): void {
    const width = 24;
    const finished = p.stage === 'added' || p.stage === 'conflict' || p.stage === 'failed' || p.stage === 'skipped';
    const done = p.index - (finished ? 0 : 1);
    const filled = Math.round((done / p.total) * width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.index}/${p.total} ${p.name} (${p.stage})`;
    const columns = this.#stream.columns ?? 100;
    this.#stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
  }

  done(): void {
    this.#stream.write('\r\x1b[2K');
  }
}

const isMain = process.argv[1] && path.resolve(process.argv[1]).endsWith(path.join('bin', 'docent.js'));
const isDirect = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (isMain || isDirect) {
  const code = await runCli(process.argv.slice(2), {
    out: process.stdout,
    err: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  });
  process.exitCode = code;
}
