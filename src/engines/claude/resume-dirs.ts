/**
 * The SDK's `claude-resume-*` folders: when it resumes a session from a
 * session store, the SDK writes a temporary config folder under the system
 * temp dir (a copy of the config and the credentials) and points the CLI's
 * CLAUDE_CONFIG_DIR at it. A crashed run leaves them behind, credentials
 * included. ProcessTracker removes a CLI's folder when that CLI ends; this
 * sweep removes, at start, every such folder of this OS user that no running
 * process of the user still has as its CLAUDE_CONFIG_DIR (another Docent on
 * the machine may be using one).
 */
import { lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PREFIX = 'claude-resume-';

/** True for a folder the SDK made for one resume (directly under the temp dir, by its name). */
export function isResumeConfigDir(dir: string, tmpDir = os.tmpdir()): boolean {
  return path.dirname(path.resolve(dir)) === path.resolve(tmpDir) && path.basename(dir).startsWith(PREFIX);
}

/** CLAUDE_CONFIG_DIR of every process of this user whose environment can be read. */
function configDirsInUse(): Set<string> {
  const inUse = new Set<string>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${name}/environ`, 'utf8');
    } catch {
      continue; // another user's, or gone
    }
    for (const entry of environ.split('\0')) {
      if (entry.startsWith('CLAUDE_CONFIG_DIR=')) inUse.add(path.resolve(entry.slice('CLAUDE_CONFIG_DIR='.length)));
    }
  }
  return inUse;
}

/** Removes this user's resume folders that no running process uses; returns how many. */
export function sweepResumeDirs(tmpDir = os.tmpdir()): number {
  const uid = process.getuid?.();
  let candidates: string[];
  try {
    candidates = readdirSync(tmpDir).filter((name) => name.startsWith(PREFIX));
  } catch {
    return 0;
  }
  if (candidates.length === 0) return 0;
  const inUse = configDirsInUse();
  let removed = 0;
  for (const name of candidates) {
    const dir = path.resolve(tmpDir, name);
    try {
      const stat = lstatSync(dir);
      if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || inUse.has(dir)) continue;
      rmSync(dir, { recursive: true, force: true });
      removed += 1;
    } catch {
      // gone meanwhile
    }
  }
  return removed;
}
