/**
 * The `canUseTool` guard: a tool call may only touch paths inside the
 * knowledge-base root, and only the tools the role allows may run at all.
 * The knowledge-base MCP tools confine their own paths (KnowledgeBase), so
 * they pass; built-in file tools are checked here on every call.
 */
import path from 'node:path';
import type { CanUseTool, PermissionResult } from '@anthropic-ai/claude-agent-sdk';

/** Input keys of the built-in tools that name a file or folder. */
const PATH_KEYS = ['file_path', 'path', 'notebook_path'] as const;

export function isInside(root: string, candidate: string): boolean {
  const resolved = path.resolve(root, candidate);
  const relative = path.relative(root, resolved);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function deny(message: string): PermissionResult {
  return { behavior: 'deny', message };
}

export interface PathGuardOptions {
  readonly root: string;
  /** Built-in tools the role may use (e.g. Read, Grep, Glob). */
  readonly builtInTools: readonly string[];
  /** Prefix of the role's own MCP tools (e.g. `mcp__kb__`). */
  readonly mcpPrefix: string;
  /** Called on every refusal, for logs. */
  readonly onDeny?: (tool: string, reason: string) => void;
}

export function createPathGuard(options: PathGuardOptions): CanUseTool {
  const root = path.resolve(options.root);
  return async (toolName, input) => {
    const refuse = (reason: string): PermissionResult => {
      options.onDeny?.(toolName, reason);
      return deny(reason);
    };
    if (toolName.startsWith(options.mcpPrefix)) return { behavior: 'allow', updatedInput: input };
    if (!options.builtInTools.includes(toolName)) return refuse(`The tool ${toolName} is not available to this agent.`);
    for (const key of PATH_KEYS) {
      const value = input[key];
      if (value === undefined) continue;
      if (typeof value !== 'string' || !isInside(root, value)) {
        return refuse(`Access denied: ${String(value)} is outside the knowledge base.`);
      }
    }
    const pattern = input.pattern;
    if (toolName === 'Glob' && typeof pattern === 'string' && (path.isAbsolute(pattern) || pattern.includes('..'))) {
      if (!isInside(root, pattern.split('*')[0] ?? ''))
        return refuse('Access denied: the pattern leaves the knowledge base.');
    }
    return { behavior: 'allow', updatedInput: input };
  };
}
