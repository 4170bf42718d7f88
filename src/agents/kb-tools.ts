/**
 * The knowledge-base toolset as in-process MCP tools for the Claude agent.
 * Employees get the read-only half; administrators get everything. Each tool
 * validates its input with zod, calls the KnowledgeBase, and answers with
 * JSON text; a failure becomes a tool error the model can read and recover
 * from, never an exception in the CLI.
 */
import { createSdkMcpServer, type McpSdkServerConfigWithInstance, tool } from '@anthropic-ai/claude-agent-sdk';
import { z } from 'zod';
import type { Role, UploadResolver } from '../engines/types.ts';
import type { IngestSource, KnowledgeBase } from '../kb/types.ts';

export const KB_SERVER_NAME = 'kb';
export const KB_TOOL_PREFIX = `mcp__${KB_SERVER_NAME}__`;

/** Longest tool answer handed back to the model, in characters. */
const MAX_TOOL_TEXT = 60_000;
/** Bad cases list_bad_cases shows: the recent ones are those worth acting on, and they fit MAX_TOOL_TEXT. */
const MAX_LISTED_BAD_CASES = 100;

type ToolAnswer = { content: Array<{ type: 'text'; text: string }>; isError?: boolean };

function answer(value: unknown): ToolAnswer {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 1);
  const bounded = text.length > MAX_TOOL_TEXT ? `${text.slice(0, MAX_TOOL_TEXT)}\n[truncated]` : text;
  return { content: [{ type: 'text', text: bounded }] };
}

async function guarded(work: () => Promise<unknown>): Promise<ToolAnswer> {
  try {
    return answer(await work());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { content: [{ type: 'text', text: `Error: ${message || 'the tool failed'}` }], isError: true };
  }
}

export interface KbToolDeps {
  readonly kb: KnowledgeBase;
  readonly resolveUpload: UploadResolver;
}

function readOnlyTools({ kb }: KbToolDeps) {
  return [
    tool(
      'match_faq',
      'Look the question up in FAQ.md. Call this first for every question. A match counts as one use of that entry.',
      { question: z.string().min(1).max(2000) },
      // Counted like the offline engine counts an answer given from the FAQ.
      (args) => guarded(async () => (await kb.matchFaq(args.question, { countUse: true })) ?? { match: null }),
    ),
    tool(
      'search',
      'Full-text search over the knowledge base (Chinese and English). Returns path, heading, line range, snippet.',
      { query: z.string().min(1).max(500), limit: z.number().int().min(1).max(50).optional() },
      (args) => guarded(() => kb.search(args.query, { limit: args.limit })),
    ),
    tool(
      'read_file',
      'Read a knowledge-base file, or a line range of it (1-based, inclusive). Paths are relative to the root.',
      {
        path: z.string().min(1).max(1000),
        startLine: z.number().int().min(1).optional(),
        endLine: z.number().int().min(1).optional(),
      },
      (args) => guarded(() => kb.read(args.path, { startLine: args.startLine, endLine: args.endLine })),
    ),
    tool('list_files', 'The folder tree of the knowledge base with descriptions.', {}, () => guarded(() => kb.tree())),
    tool('kb_stats', 'Counts of files, folders, bytes, FAQ entries and bad cases.', {}, () =>
      guarded(() => kb.stats()),
    ),
    tool(
      'find_expert',
      'Find the domain expert to contact when the knowledge base has no answer.',
      { question: z.string().min(1).max(2000) },
      (args) => guarded(async () => (await kb.findExpert(args.question)) ?? { expert: null }),
    ),
  ];
}

function adminTools({ kb, resolveUpload }: KbToolDeps) {
  return [
    tool(
      'ingest_uploads',
      'Add uploaded files to the knowledge base. Pass the upload references (temp_path values) the user gave.',
      { references: z.array(z.string().min(1).max(500)).min(1).max(50), force: z.boolean().optional() },
      (args) =>
        guarded(async () => {
          const sources: IngestSource[] = [];
          const unknown: string[] = [];
          for (const reference of args.references) {
            const upload = await resolveUpload(reference);
            if (upload) sources.push({ name: upload.name, sourcePath: upload.path });
            else unknown.push(reference);
          }
          const results = sources.length > 0 ? await kb.ingest(sources, { force: args.force }) : [];
          return { results, unknownReferences: unknown };
        }),
    ),
    tool(
      'plan_delete',
      'Step 1 of deleting: lists what would be removed and returns a token. Show the list to the user and ask.',
      { path: z.string().min(1).max(1000) },
      (args) => guarded(() => kb.planDelete(args.path)),
    ),
    tool(
      'confirm_delete',
      'Step 2 of deleting: carry out a plan, only after the user confirmed it.',
      { token: z.string().min(1).max(200) },
      (args) => guarded(() => kb.confirmDelete(args.token)),
    ),
    tool(
      'move_file',
      'Move a document into a folder (created if needed; "" for the top folder), keeping its name. Its images, ' +
        'data file and overview go with it; README.md and the index follow.',
      { path: z.string().min(1).max(1000), folder: z.string().max(500) },
      (args) => guarded(() => kb.move(args.path, args.folder)),
    ),
    tool('rebuild_index', 'Rebuild the search index and README indexes.', {}, () =>
      guarded(async () => {
        await kb.rebuildIndex();
        return { rebuilt: true };
      }),
    ),
    tool(
      'record_feedback',
      'Record user feedback on an answer (updates FAQ usage, adds or corrects FAQ entries, logs bad cases).',
      {
        question: z.string().min(1).max(2000),
        answer: z.string().min(1).max(20_000),
        satisfied: z.boolean(),
        reason: z.string().max(2000).optional(),
      },
      (args) => guarded(() => kb.feedback(args)),
    ),
    tool(
      'add_synonyms',
      "Add wordings that mean the same as a term to the knowledge base's synonyms table (.docent/synonyms.md), " +
        'e.g. when feedback shows a question worded differently from the documents. Searches use them at once.',
      {
        term: z.string().min(1).max(80),
        same_as: z.array(z.string().min(1).max(80)).min(1).max(16),
      },
      (args) => guarded(() => kb.addSynonyms({ term: args.term, sameAs: args.same_as })),
    ),
    tool('list_faq', 'All FAQ entries with usage counts.', {}, () => guarded(() => kb.faq())),
    tool(
      'list_bad_cases',
      `The most recent logged bad cases (up to ${MAX_LISTED_BAD_CASES}), newest first, with how many there are.`,
      {},
      () =>
        guarded(async () => {
          const all = await kb.badCases();
          return { total: all.length, newest_first: all.slice(-MAX_LISTED_BAD_CASES).reverse() };
        }),
    ),
  ];
}

/** Names (without the MCP prefix) of the tools a role gets. */
export const KB_TOOL_NAMES: Readonly<Record<Role, readonly string[]>> = {
  employee: ['match_faq', 'search', 'read_file', 'list_files', 'kb_stats', 'find_expert'],
  admin: [
    'match_faq',
    'search',
    'read_file',
    'list_files',
    'kb_stats',
    'find_expert',
    'ingest_uploads',
    'plan_delete',
    'confirm_delete',
    'move_file',
    'rebuild_index',
    'record_feedback',
    'add_synonyms',
    'list_faq',
    'list_bad_cases',
  ],
};

/** A fresh in-process MCP server (one per CLI process: a server holds one transport). */
export function createKbServer(role: Role, deps: KbToolDeps): McpSdkServerConfigWithInstance {
  return createSdkMcpServer({ name: KB_SERVER_NAME, version: '1.0.0', tools: kbTools(role, deps) });
}

/** The tools a role gets, as handed to the MCP server. */
export function kbTools(role: Role, deps: KbToolDeps) {
  return role === 'admin' ? [...readOnlyTools(deps), ...adminTools(deps)] : readOnlyTools(deps);
}
