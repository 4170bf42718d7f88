/** What buildApp() is given, and what every route plugin reaches through `app.docent`. */
import type { HandoffStore } from '../channels/handoff-store.ts';
import type { SeenMessageStore } from '../channels/seen-messages.ts';
import type { ChannelAdapter } from '../channels/types.ts';
import type { TurnGate } from '../cluster/turn-gate.ts';
import type { Config } from '../config.ts';
import type { AgentEvent, Role, TurnInput } from '../engines/types.ts';
import type { KnowledgeBase } from '../kb/types.ts';
import type { Logger } from '../logger.ts';
import type { Pool } from '../pool/types.ts';
import type { Conversations } from '../sessions/conversations.ts';
import type { RetentionReport } from '../sessions/retention.ts';
import type { SessionStore } from '../sessions/types.ts';
import type { Identity } from './identity.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { ClusterCounters, EngineCounters, HttpMetrics } from './metrics.ts';
import type { ServerSecrets } from './secrets.ts';
import type { UploadStore } from './uploads/store.ts';

export type AgentPool = Pool<TurnInput, AgentEvent>;

/** The part of the pool registry the HTTP layer uses. */
export interface PoolRegistryLike {
  get(name: Role): AgentPool;
}

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly pools: PoolRegistryLike;
  readonly kb: KnowledgeBase;
  readonly sessions: SessionStore;
  readonly uploads: UploadStore;
  readonly secrets: ServerSecrets;
  readonly version: string;
  /** @default a new Lifecycle, already ready */
  readonly lifecycle?: Lifecycle;
  /** Silence before an SSE heartbeat. @default 15000 */
  readonly heartbeatMs?: number;
  /** The engine's own counters, exported as `docent_engine_stat` metrics. */
  readonly engineCounters?: EngineCounters;
  /** Questions forwarded to experts from messenger channels. @default in memory */
  readonly handoffs?: HandoffStore;
  /** Ids of messenger messages already taken, kept across restarts. @default in memory, for the process only */
  readonly seenMessages?: SeenMessageStore;
  /** Messenger adapters to serve. @default those the settings enable */
  readonly channelAdapters?: readonly ChannelAdapter[];
  /** Folder with the built web UI (index.html, admin.html, assets/). @default <repo>/web/dist */
  readonly webDir?: string;
  /** Deletes conversations with what the engine keeps of them. @default over `sessions`, for an engine that keeps nothing */
  readonly conversations?: Conversations;
  /** Disk use and the last retention sweep, for the stats and metrics. @default none reported */
  readonly retention?: RetentionReport;
  /** Several nodes (REDIS_URL): one turn of a conversation at a time across them. @default none (one node) */
  readonly gate?: TurnGate;
  /** Several nodes: this node's name, sent on every response as `X-Docent-Node`. @default none (one node) */
  readonly nodeId?: string;
  /** Several nodes: the cluster's counters (leases, fences, Redis errors), exported as `docent_cluster_events_total`. */
  readonly clusterCounters?: ClusterCounters;
}

/** Shared by the route plugins (decorated once at the root). */
export interface DocentContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly pools: PoolRegistryLike;
  readonly kb: KnowledgeBase;
  readonly sessions: SessionStore;
  readonly conversations: Conversations;
  readonly retention: RetentionReport | undefined;
  /** Present with REDIS_URL: turns take the conversation's cluster lease before a worker. */
  readonly gate: TurnGate | undefined;
  readonly uploads: UploadStore;
  readonly identity: Identity;
  readonly lifecycle: Lifecycle;
  readonly metrics: HttpMetrics;
  readonly version: string;
  readonly heartbeatMs: number;
  readonly webDir: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    docent: DocentContext;
  }
}
