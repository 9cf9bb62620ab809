// Facts about the machine the figures were taken on, and two physical reference rates:
// single-core SHA-256 (the cost of verifying a digest while streaming) and the disk's
// sequential write rate with fdatasync (the cost of a durable commit).
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LargeBlob } from './data.js';
import { processTree } from './rss.js';

export async function diskWriteRate(size: number, passes: number): Promise<number> {
  const blob = new LargeBlob(size, 'disk-probe');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-disk-'));
  let best = 0;
  try {
    for (let i = 0; i < passes; i++) {
      const file = path.join(dir, `probe-${i}`);
      const t0 = performance.now();
      const fh = await open(file, 'w');
      try {
        for (const c of blob.chunks) await fh.write(c);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      best = Math.max(best, size / 1e6 / ((performance.now() - t0) / 1000));
      rmSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return best;
}

function sh(cmd: string, cwd: string): string {
  try {
    return execSync(cmd, { cwd, encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** The machine, node, and the revision of the Berth checkout at `root`. */
export function machineFacts(root: string): [string, string][] {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const gib = (os.totalmem() / 1024 ** 3).toFixed(1);
  const commit = sh('git rev-parse --short HEAD', root);
  const dirty = sh('git status --porcelain --untracked-files=no', root) ? ' (with uncommitted changes)' : '';
  return [
    ['machine', `${os.availableParallelism()} CPUs (${cpu}), ${gib} GiB memory, ${os.type()} ${os.release()}`],
    ['node', process.version],
    ['berth', commit ? `git ${commit}${dirty}` : 'unknown revision'],
  ];
}

/** Total busy jiffies of the machine, from /proc/stat. */
function machineBusy(): number {
  const cpu = readFileSync('/proc/stat', 'latin1').split('\n')[0] ?? '';
  const f = cpu.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait
  return f.reduce((a, b) => a + b, 0) - (f[3] ?? 0) - (f[4] ?? 0);
}

/** Jiffies used by this process and all its descendants, living or reaped. */
function treeJiffies(root: number): number {
  let total = 0;
  for (const pid of processTree(root)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields after comm: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
      total += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // ended meanwhile
    }
  }
  return total;
}

/** CPU seconds a running process and its descendants have used so far. */
export function cpuSeconds(pid: number): number {
  return treeJiffies(pid) / 100;
}

/** CPU seconds used by the bench's children that have ended (and been waited for). */
export function endedChildrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

/**
 * Measures how much CPU processes other than the bench and its registries used, as a
 * share of the whole machine: the figures mean little when that is high.
 */
export class ForeignCpu {
  private busy0 = machineBusy();
  private ours0 = treeJiffies(process.pid);
  private t0 = performance.now();

  /** Share (0–1) of all CPUs used by other processes since construction. */
  share(): number {
    const ticks = 100; // USER_HZ on Linux
    const secs = (performance.now() - this.t0) / 1000;
    const foreign = machineBusy() - this.busy0 - (treeJiffies(process.pid) - this.ours0);
    return secs > 0 ? Math.max(0, foreign / ticks / secs / os.availableParallelism()) : 0;
  }
}
