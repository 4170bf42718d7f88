/**
 * The two agent roles as the Claude engine runs them: instructions appended to
 * the `claude_code` system prompt, the built-in tools each may use, the
 * knowledge-base MCP tools, and the guard confining every path to the
 * knowledge base.
 */
import type { CanUseTool, McpSdkServerConfigWithInstance } from '@anthropic-ai/claude-agent-sdk';
import type { Role, UploadResolver } from '../engines/types.ts';
import type { KnowledgeBase } from '../kb/types.ts';
import { ADMIN_BUILT_IN_TOOLS, ADMIN_INSTRUCTIONS } from './admin.ts';
import { EMPLOYEE_BUILT_IN_TOOLS, EMPLOYEE_INSTRUCTIONS } from './employee.ts';
import { createKbServer, KB_SERVER_NAME, KB_TOOL_NAMES, KB_TOOL_PREFIX } from './kb-tools.ts';
import { createPathGuard } from './path-guard.ts';

export { KB_SERVER_NAME, KB_TOOL_NAMES, KB_TOOL_PREFIX } from './kb-tools.ts';
export { createPathGuard, isInside } from './path-guard.ts';

export interface AgentProfile {
  readonly role: Role;
  /** The knowledge-base root: the agent's working directory. */
  readonly cwd: string;
  /** Appended to the `claude_code` preset system prompt. */
  readonly instructions: string;
  /** Built-in tools the agent has at all (the CLI's `tools` option). */
  readonly builtInTools: readonly string[];
  /**
   * The role's MCP tool names. Not passed as `allowedTools`: bare allow
   * entries would skip the guard, and every call goes through it.
   */
  readonly mcpTools: readonly string[];
  /** The most model round trips in one turn. */
  readonly maxTurns: number;
  /** A fresh MCP server instance; call once per CLI process. */
  createMcpServers(): Record<string, McpSdkServerConfigWithInstance>;
  readonly canUseTool: CanUseTool;
}

export interface AgentProfileDeps {
  readonly kb: KnowledgeBase;
  readonly resolveUpload: UploadResolver;
  readonly onDeny?: (role: Role, tool: string, reason: string) => void;
}

export function agentProfile(role: Role, deps: AgentProfileDeps): AgentProfile {
  const builtInTools: readonly string[] = role === 'admin' ? ADMIN_BUILT_IN_TOOLS : EMPLOYEE_BUILT_IN_TOOLS;
  return Object.freeze({
    role,
    cwd: deps.kb.root,
    instructions: role === 'admin' ? ADMIN_INSTRUCTIONS : EMPLOYEE_INSTRUCTIONS,
    builtInTools,
    mcpTools: KB_TOOL_NAMES[role].map((name) => `${KB_TOOL_PREFIX}${name}`),
    maxTurns: role === 'admin' ? 40 : 20,
    createMcpServers: () => ({ [KB_SERVER_NAME]: createKbServer(role, deps) }),
    canUseTool: createPathGuard({
      root: deps.kb.root,
      builtInTools,
      mcpPrefix: KB_TOOL_PREFIX,
      onDeny: (tool, reason) => deps.onDeny?.(role, tool, reason),
    }),
  });
}
