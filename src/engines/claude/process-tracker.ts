/**
 * Knows every CLI process the engine started: spawns each in its own process
 * group, records its PID on disk (so a crashed run's leftovers can be reaped
 * at the next start), kills whole groups, and reads resident memory from /proc.
 *
 * Hand-written because no library covers "PID file per child + group kill +
 * reap by start time"; it is small and Linux-specific by design.
 *
 * A CLI must not outlive Docent, however Docent dies (kill -9 included: no
 * exit hook runs then). Each CLI is started through a two-line `sh` wrapper
 * holding a supervising pipe (fd 3) to Docent: the wrapper forks a watcher
 * that blocks reading the pipe, then execs the CLI (same PID, same process
 * group). When Docent dies the kernel closes its end, the watcher's read
 * returns end-of-file, and it SIGKILLs the whole group: the CLI and anything
 * it started. Chosen over a parent-death signal (`setpriv --pdeathsig` reaches
 * only the CLI itself, not its children, and is not on every system) and over
 * cgroups (need privileges Docent should not have). The watcher is one idle
 * shell per CLI.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SpawnedProcess, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from '../../logger.ts';
import { isResumeConfigDir } from './resume-dirs.ts';

interface PidRecord {
  readonly pid: number;
  /** Field 22 of /proc/<pid>/stat: tells a recycled PID from ours. */
  readonly startTicks: string;
  readonly ownerPid: number;
  readonly ownerStartTicks?: string;
}

/** This process, as other runs can recognise it (PID plus start time). */
export const SELF = Object.freeze({ pid: process.pid, startTicks: processStartTicks(process.pid) ?? '' });

/** True while the process that wrote a record (PID plus start time) still runs. */
export function ownerAlive(pid: number, startTicks: string | undefined): boolean {
  if (pid === process.pid) return true;
  return startTicks !== undefined && startTicks !== '' && processStartTicks(pid) === startTicks && !isZombieOrGone(pid);
}

/** Start time of a process in clock ticks since boot, or undefined when it is gone. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in bytes, from /proc/<pid>/status. */
export function residentBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function isZombieOrGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Run as `sh -c SUPERVISED_EXEC sh <command> <args...>`. The watcher's stdio
 * goes to /dev/null so it never holds the CLI's pipes open.
 */
const SUPERVISED_EXEC = [
  '( while read -r _ <&3; do :; done; kill -KILL 0 ) </dev/null >/dev/null 2>&1 &',
  'exec 3<&-',
  'exec "$@"',
].join('\n');

export class ProcessTracker {
  readonly #dir: string;
  readonly #logger: Logger;
  readonly #live = new Map<number, ChildProcess>();
  #exitHookInstalled = false;
  #started = 0;

  constructor(pidDir: string, logger: Logger) {
    this.#dir = pidDir;
    this.#logger = logger;
    mkdirSync(pidDir, { recursive: true });
  }

  /** A `spawnClaudeCodeProcess` for the SDK: a detached group whose PID is recorded. */
  spawn(options: SpawnOptions, onSpawned?: (child: ChildProcess) => void): SpawnedProcess {
    this.#installExitHook();
    const child = spawn('/bin/sh', ['-c', SUPERVISED_EXEC, 'sh', options.command, ...options.args], {
      cwd: options.cwd,
      env: options.env,
      // fd 3: the supervising pipe. Docent never writes to it; its closing is the signal.
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    const pid = child.pid;
    this.#started += 1;
    if (pid !== undefined) {
      this.#live.set(pid, child);
      this.#record(pid);
      const configDir = options.env.CLAUDE_CONFIG_DIR;
      child.once('exit', () => {
        this.#live.delete(pid);
        // The group may hold grandchildren (MCP servers, shells): end them with their leader.
        killGroup(pid, 'SIGKILL');
        rmSync(path.join(this.#dir, String(pid)), { force: true });
        // A resume's temporary config (with credentials) is of no use once its CLI is gone.
        if (configDir && isResumeConfigDir(configDir)) rmSync(configDir, { recursive: true, force: true });
      });
    }
    // Drain stderr so a chatty child never blocks on a full pipe.
    child.stderr?.on('data', () => {});
    options.signal.addEventListener('abort', () => this.kill(child), { once: true });
    onSpawned?.(child);
    return child;
  }

  /** Kills a child's whole process group now. */
  kill(child: ChildProcess): void {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      killGroup(child.pid, 'SIGKILL');
    }
  }

  /** Resolves once the child has exited. */
  exited(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** How many processes were spawned so far. */
  get started(): number {
    return this.#started;
  }

  /** Every live child's PID. */
  pids(): number[] {
    return [...this.#live.keys()];
  }

  /** Resolves once every child has exited, or after `timeoutMs`; true when all are gone. */
  async waitForExit(timeoutMs: number): Promise<boolean> {
    const exits = [...this.#live.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) resolve();
          else child.once('exit', () => resolve());
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = await Promise.race([Promise.all(exits).then(() => true), timedOut]);
    clearTimeout(timer);
    return done;
  }

  killAll(): void {
    for (const child of this.#live.values()) this.kill(child);
  }

  /**
   * Kills process groups recorded by a run that is gone but whose children
   * are still alive (same PID and same start time), and forgets the records.
   * Returns how many.
   */
  reapOrphans(): number {
    let reaped = 0;
    for (const name of readdirSync(this.#dir)) {
      const file = path.join(this.#dir, name);
      let record: PidRecord | undefined;
      try {
        record = JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
      } catch {
        rmSync(file, { force: true });
        continue;
      }
      if (this.#live.has(record.pid)) continue;
      // Another Docent sharing this data dir still runs: its children are not orphans.
      if (ownerAlive(record.ownerPid, record.ownerStartTicks)) continue;
      if (processStartTicks(record.pid) === record.startTicks && !isZombieOrGone(record.pid)) {
        killGroup(record.pid, 'SIGKILL');
        reaped += 1;
        this.#logger.warn({ pid: record.pid }, 'reaped an orphaned Claude CLI process from an earlier run');
      }
      rmSync(file, { force: true });
    }
    return reaped;
  }

  #record(pid: number): void {
    const record: PidRecord = {
      pid,
      startTicks: processStartTicks(pid) ?? '',
      ownerPid: SELF.pid,
      ownerStartTicks: SELF.startTicks,
    };
    try {
      writeFileSync(path.join(this.#dir, String(pid)), JSON.stringify(record));
    } catch (error) {
      this.#logger.warn({ err: error, pid }, 'could not record a CLI process id');
    }
  }

  #onExit = (): void => {
    for (const pid of this.#live.keys()) killGroup(pid, 'SIGKILL');
  };

  #installExitHook(): void {
    if (this.#exitHookInstalled) return;
    this.#exitHookInstalled = true;
    process.once('exit', this.#onExit);
  }

  /** Removes the exit hook (after everything was closed). */
  dispose(): void {
    this.killAll();
    if (this.#exitHookInstalled) process.off('exit', this.#onExit);
    this.#exitHookInstalled = false;
  }
}
