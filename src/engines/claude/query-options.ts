/** The SDK options of one CLI process for a role, in one place (workers and the benchmark use them). */
import type { Options, SessionStore, SpawnedProcess, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import type { AgentProfile } from '../../agents/index.ts';
import type { Config } from '../../config.ts';
import { childEnv } from './child-env.ts';

export interface QueryOptionsInput {
  readonly profile: AgentProfile;
  readonly config: Config;
  /** This process's own CLAUDE_CONFIG_DIR. */
  readonly configDir: string;
  /**
   * Start a new conversation under this CLI id, or resume this one (at the
   * transcript entry `at`, leaving out what follows it, when given).
   */
  readonly session: { readonly kind: 'new' | 'resume'; readonly cliSessionId: string; readonly at?: string };
  readonly spawn: (options: SpawnOptions) => SpawnedProcess;
  readonly abortController?: AbortController;
  /** Several nodes: the transcript is mirrored here, and read back from here on resume. */
  readonly sessionStore?: SessionStore;
}

export function queryOptions(input: QueryOptionsInput): Options {
  const { profile, config, session } = input;
  return {
    cwd: profile.cwd,
    settingSources: [],
    // bypassPermissions is refused as root; every tool call goes through the role's canUseTool guard.
    permissionMode: 'default',
    systemPrompt: { type: 'preset', preset: 'claude_code', append: profile.instructions },
    tools: [...profile.builtInTools],
    mcpServers: profile.createMcpServers(),
    canUseTool: profile.canUseTool,
    maxTurns: profile.maxTurns,
    // Text deltas as the model streams them (turn-translator.ts turns them into text events).
    includePartialMessages: true,
    env: childEnv(config, input.configDir),
    spawnClaudeCodeProcess: input.spawn,
    ...(input.abortController ? { abortController: input.abortController } : {}),
    // Batched: the SDK flushes a turn's entries before it yields the turn's result.
    ...(input.sessionStore ? { sessionStore: input.sessionStore, sessionStoreFlush: 'batched' as const } : {}),
    ...(config.anthropic.model ? { model: config.anthropic.model } : {}),
    ...(session.kind === 'new' ? { sessionId: session.cliSessionId } : { resume: session.cliSessionId }),
    ...(session.kind === 'resume' && session.at ? { resumeSessionAt: session.at } : {}),
  };
}
