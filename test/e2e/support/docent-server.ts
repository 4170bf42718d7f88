// Starts a real Docent (`tsx src/main.ts`) for the browser tests: loopback,
// a free port, the offline engine, and a knowledge base and data directory
// of its own under os.tmpdir(), seeded from samples/knowledge_base. stop()
// ends the process group and removes the temp directory.
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '../../support/free-port.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const TSX_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;

export interface DocentServer {
  readonly baseUrl: string;
  readonly adminToken: string;
  readonly kbRoot: string;
  readonly dataDir: string;
  /** Everything the server printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export async function startDocent(env: Record<string, string> = {}): Promise<DocentServer> {
  const tempDir = await mkdtemp(path.join(os.tmpdir(), 'docent-e2e-'));
  const kbRoot = path.join(tempDir, 'knowledge_base');
  const dataDir = path.join(tempDir, 'data');
  await cp(path.join(REPO_ROOT, 'samples', 'knowledge_base'), kbRoot, { recursive: true });
  await mkdir(dataDir, { recursive: true });
  const port = await freePort();
  const adminToken = `e2e-admin-${Math.random().toString(36).slice(2)}`;

  const child = spawn(TSX_BIN, ['src/main.ts'], {
    cwd: REPO_ROOT,
    // Its own process group, so stop() also reaches the node process tsx starts.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: tempDir,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      DOCENT_ENGINE: 'local',
      KB_ROOT_PATH: kbRoot,
      DATA_DIR: dataDir,
      ADMIN_TOKEN: adminToken,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '100000',
      NEW_IDENTITIES_PER_ADDRESS: '1000000',
      SHUTDOWN_GRACE: '2',
      ...env,
    },
  });

  let output = '';
  const baseUrl = `http://127.0.0.1:${port}`;
  const capture = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', capture);
  child.stderr?.on('data', capture);
  const exited = new Promise<never>((_resolve, reject) => {
    child.once('exit', (code, signal) =>
      reject(new Error(`Docent exited before it was ready (code ${code}, signal ${signal}):\n${output}`)),
    );
  });
  exited.catch(() => {}); // Observed through the race below.

  /** Ready when /health/ready answers 200 (checked a few times a second, up to START_TIMEOUT_MS). */
  const ready = async () => {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const ok = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2_000) })
        .then((response) => response.ok)
        .catch(() => false);
      if (ok) return;
      await Promise.race([delay(200), exited]);
    }
    throw new Error(`Docent did not become ready within ${START_TIMEOUT_MS} ms:\n${output}`);
  };

  const stop = async () => {
    signalGroup(child, 'SIGTERM');
    if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
      signalGroup(child, 'SIGKILL');
      await waitForExit(child, STOP_TIMEOUT_MS);
    }
    // tsx's own child may outlive its parent by a moment; the group signal reached it.
    signalGroup(child, 'SIGKILL');
    await rm(tempDir, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    await Promise.race([ready(), exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, adminToken, kbRoot, dataDir, output: () => output, stop };
}
