// Samples the resident set size of a server's process tree from /proc every 100 ms.
import { readdirSync, readFileSync } from 'node:fs';

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The pid and all its descendants (a launcher script may not exec the real server). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      // pid (comm) state ppid ...  — comm may contain spaces, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  const out: number[] = [];
  const todo = [root];
  for (let pid = todo.pop(); pid !== undefined && out.length < 1000; pid = todo.pop()) {
    out.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return out;
}

export class RssWindow {
  peakKiB = 0;
  samples = 0;
  get peakMiB(): number {
    return this.peakKiB / 1024;
  }
}

export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private pids: number[];
  private ticks = 0;
  private readonly windows = new Set<RssWindow>();
  lastKiB = 0;

  constructor(private readonly root: number) {
    this.pids = [root];
  }

  start(intervalMs = 100): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  sample(): void {
    if (this.ticks++ % 20 === 0) this.pids = processTree(this.root);
    let total = 0;
    for (const pid of this.pids) total += rssKiB(pid);
    this.lastKiB = total;
    for (const w of this.windows) {
      w.peakKiB = Math.max(w.peakKiB, total);
      w.samples++;
    }
  }

  /** Starts recording the peak; call the returned function to stop. */
  window(): { window: RssWindow; end: () => RssWindow } {
    const window = new RssWindow();
    this.windows.add(window);
    this.sample();
    return {
      window,
      end: () => {
        this.sample();
        this.windows.delete(window);
        return window;
      },
    };
  }
}
