import { readdirSync } from 'node:fs';
import os from 'node:os';

/** Commands an operator runs beside a serving registry: they yield the CPU to it. */
const MAINTENANCE_COMMANDS = new Set(['gc', 'fsck', 'lifecycle', 'vulndb']);

/**
 * Lowers the process to the lowest CPU priority (nice 19) when `args` run a maintenance command: when
 * it and a server on the same machine both want a core, the server's requests go first and the pass
 * waits, so request latency stays near that of an idle machine. bin/berth calls this before loading
 * the rest of Berth, so loading runs at low priority too. On Linux a priority belongs to a thread, and
 * threads already running (libuv's pool) keep theirs, so each is lowered by its id; later threads
 * inherit it.
 */
export function yieldToServers(args: readonly string[]): void {
  const command = args.find((arg) => !arg.startsWith('-'));
  if (command === undefined || !MAINTENANCE_COMMANDS.has(command)) return;
  const lowest = os.constants.priority.PRIORITY_LOW;
  lower(0, lowest);
  let threads: string[] = [];
  try {
    threads = readdirSync('/proc/self/task');
  } catch {
    // Not Linux: the process's priority is all there is.
  }
  for (const thread of threads) lower(Number(thread), lowest);
}

function lower(id: number, priority: number): void {
  try {
    os.setPriority(id, priority);
  } catch {
    // A thread that ended meanwhile, or a platform that refuses: it only costs the server some latency.
  }
}
