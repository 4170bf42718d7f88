/**
 * What Docent nodes of a test may leave behind (guarantee 8 of issue #16):
 * agent processes that no live node owns any more, and the SDK's
 * `claude-resume-*` folders that no live process uses. Each node of the test
 * runs with its own TMPDIR inside the test's folder, so that what belongs to
 * the test is told apart from the rest of the machine by its environment.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface Leftovers {
  /** Processes of the test (TMPDIR inside its folder) that no live node is an ancestor of. */
  readonly orphans: ReadonlyArray<{ readonly pid: number; readonly command: string }>;
  /** `claude-resume-*` folders in the nodes' TMPDIRs that no live process has as CLAUDE_CONFIG_DIR. */
  readonly resumeDirs: readonly string[];
}

interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly zombie: boolean;
  readonly env: Map<string, string>;
  readonly command: string;
}

function processes(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const tail = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const env = new Map<string, string>();
      for (const entry of readFileSync(`/proc/${name}/environ`, 'utf8').split('\0')) {
        const eq = entry.indexOf('=');
        if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
      }
      const command = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 200);
      out.push({ pid: Number(name), ppid: Number(tail[1]), zombie: tail[0] === 'Z', env, command });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

const inside = (root: string, p: string | undefined) =>
  p !== undefined && (path.resolve(p) === root || path.resolve(p).startsWith(`${root}${path.sep}`));

/** Leftovers of the nodes whose TMPDIRs are under `root`, given the PIDs of the nodes still alive. */
export function findLeftovers(root: string, tmpDirs: readonly string[], liveNodes: readonly number[]): Leftovers {
  const all = processes().filter((p) => !p.zombie);
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const live = new Set(liveNodes);
  const owned = (p: ProcessInfo): boolean => {
    for (let at: ProcessInfo | undefined = p, hops = 0; at && hops < 64; at = byPid.get(at.ppid), hops++) {
      if (live.has(at.pid)) return true;
    }
    return false;
  };
  const ours = all.filter((p) => inside(path.resolve(root), p.env.get('TMPDIR')) && !live.has(p.pid));
  const orphans = ours.filter((p) => !owned(p)).map((p) => ({ pid: p.pid, command: p.command }));
  const inUse = new Set(
    all.map((p) => p.env.get('CLAUDE_CONFIG_DIR')).flatMap((dir) => (dir ? [path.resolve(dir)] : [])),
  );
  const resumeDirs: string[] = [];
  for (const tmp of tmpDirs) {
    let names: string[] = [];
    try {
      names = readdirSync(tmp).filter((name) => name.startsWith('claude-resume-'));
    } catch {
      continue;
    }
    for (const name of names) if (!inUse.has(path.resolve(tmp, name))) resumeDirs.push(path.join(tmp, name));
  }
  return { orphans, resumeDirs };
}

/** findLeftovers until there are none (a killed node's agents exit a moment later), or `deadlineMs`. */
export async function settledLeftovers(
  root: string,
  tmpDirs: readonly string[],
  liveNodes: () => readonly number[],
  deadlineMs = 10_000,
): Promise<Leftovers> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const found = findLeftovers(root, tmpDirs, liveNodes());
    if ((found.orphans.length === 0 && found.resumeDirs.length === 0) || Date.now() >= deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
