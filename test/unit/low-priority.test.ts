// Maintenance commands yield the CPU to servers: every thread of the process, not only the main one,
// runs at the lowest priority. Checked in a child process, so this test process keeps its own.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { describe, it } from 'node:test';

const MODULE = new URL('../../src/cli/low-priority.js', import.meta.url).href;

/** The nice values of the child's threads (field 19 of /proc/<pid>/task/<tid>/stat) after yieldToServers(args). */
function threadNiceness(args: string[]): number[] {
  const script = `
    import { readdirSync, readFileSync } from 'node:fs';
    import { Worker } from 'node:worker_threads';
    const { yieldToServers } = await import(${JSON.stringify(MODULE)});
    await import('node:fs/promises').then((fs) => fs.readFile(process.execPath, { flag: 'r' }).catch(() => {}));
    yieldToServers(${JSON.stringify(args)});
    const worker = new Worker('setTimeout(() => {}, 200)', { eval: true });
    await new Promise((resolve) => worker.on('online', resolve));
    const nice = readdirSync('/proc/self/task').map((tid) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]));
    console.log(JSON.stringify(nice));
    await worker.terminate();`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as number[];
}

describe('maintenance commands at low priority', { skip: existsSync('/proc/self/task') ? false : 'needs Linux /proc' }, () => {
  it('lowers every thread, those already running and those started after, for gc, fsck, lifecycle and vulndb', () => {
    for (const command of ['gc', 'fsck', 'lifecycle', 'vulndb']) {
      const nice = threadNiceness([command, '--data-dir', '/tmp/x']);
      assert.ok(nice.length > 3, `several threads (${nice.length})`);
      assert.deepEqual(new Set(nice), new Set([19]), `${command}: ${JSON.stringify(nice)}`);
    }
  });

  it('leaves the server and other commands at the priority they started with', () => {
    const own = new Set([os.getPriority()]);
    assert.deepEqual(new Set(threadNiceness(['serve', '--port', '5000'])), own);
    assert.deepEqual(new Set(threadNiceness(['--help'])), own);
  });
});
