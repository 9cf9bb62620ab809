// Native clients where the client's own CPU would otherwise limit the figure on this 2-core
// machine: fixed-duration, fixed-connection load with wrk for GET and ApacheBench for HEAD
// (wrk 4.1 waits for a body after a HEAD reply), and curl to download large blobs (a Node
// client reading 64 KiB at a time tops out well below what a registry can serve).
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface LoadResult {
  requests: number;
  seconds: number;
  rate: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  tool: string;
}

export interface LoadSpec {
  method: 'GET' | 'HEAD';
  url: URL;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
}

/** Runs cmd to its end (SIGKILL after timeoutMs). */
function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const WRK_DONE = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCHJSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"p50_us\\":%d,\\"p99_us\\":%d,\\"errors\\":%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
`;

async function wrk(spec: LoadSpec, dir: string): Promise<LoadResult> {
  const script = path.join(dir, 'report.lua');
  writeFileSync(script, WRK_DONE);
  const args = ['-t1', `-c${spec.connections}`, `-d${spec.seconds}s`, '--timeout', '5s', '-s', script];
  for (const [k, v] of Object.entries(spec.headers)) args.push('-H', `${k}: ${v}`);
  args.push(spec.url.href);
  const r = await run('wrk', args, (spec.seconds + 30) * 1000);
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCHJSON '));
  if (!line) throw new Error(`wrk failed (${r.code}): ${r.stderr || r.stdout}`);
  const j = JSON.parse(line.slice('BENCHJSON '.length)) as { requests: number; duration_us: number; p50_us: number; p99_us: number; errors: number };
  const seconds = j.duration_us / 1e6;
  return { requests: j.requests, seconds, rate: j.requests / seconds, p50Ms: j.p50_us / 1000, p99Ms: j.p99_us / 1000, errors: j.errors, tool: 'wrk' };
}

async function ab(spec: LoadSpec, dir: string): Promise<LoadResult> {
  const csv = path.join(dir, 'percentiles.csv');
  // -t bounds the time; -n caps the count (ab keeps one record per request, 2M ≈ 64 MB).
  const args = ['-q', '-k', '-i', '-c', String(spec.connections), '-t', String(spec.seconds), '-n', '2000000', '-e', csv];
  for (const [k, v] of Object.entries(spec.headers)) args.push('-H', `${k}: ${v}`);
  args.push(spec.url.href);
  const r = await run('ab', args, (spec.seconds + 30) * 1000);
  const num = (re: RegExp): number => {
    const m = re.exec(r.stdout);
    return m ? Number(m[1]) : NaN;
  };
  const requests = num(/Complete requests:\s+(\d+)/);
  const seconds = num(/Time taken for tests:\s+([\d.]+)/);
  if (!Number.isFinite(requests) || !Number.isFinite(seconds)) throw new Error(`ab failed (${r.code}): ${r.stderr || r.stdout}`);
  const failed = num(/Failed requests:\s+(\d+)/);
  const non2xx = num(/Non-2xx responses:\s+(\d+)/);
  const pct = new Map<number, number>();
  for (const row of readFileSync(csv, 'utf8').split('\n').slice(1)) {
    const [p, ms] = row.split(',');
    if (p !== undefined && ms !== undefined) pct.set(Number(p), Number(ms));
  }
  return {
    requests,
    seconds,
    rate: requests / seconds,
    p50Ms: pct.get(50) ?? NaN,
    p99Ms: pct.get(99) ?? NaN,
    errors: (Number.isFinite(failed) ? failed : 0) + (Number.isFinite(non2xx) ? non2xx : 0),
    tool: 'ab',
  };
}

export async function load(spec: LoadSpec): Promise<LoadResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-load-'));
  try {
    return spec.method === 'HEAD' ? await ab(spec, dir) : await wrk(spec, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Download {
  status: number;
  bytes: number;
  seconds: number;
}

/** GETs `url` with curl into /dev/null (following redirects); curl's own timer excludes its start-up. */
export async function curlDownload(url: URL, headers: Readonly<Record<string, string>>, timeoutSec: number): Promise<Download> {
  const args = ['-sS', '-L', '-o', '/dev/null', '--max-time', String(timeoutSec), '-w', '%{http_code} %{size_download} %{time_total}'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  const r = await run('curl', [...args, url.href], (timeoutSec + 10) * 1000);
  const [status, bytes, seconds] = r.stdout.trim().split(' ').map(Number);
  if (r.code !== 0 || status === undefined || bytes === undefined || seconds === undefined) throw new Error(`curl failed (${r.code}): ${r.stderr.trim()}`);
  return { status, bytes, seconds };
}

export interface PacedSpec {
  url: URL;
  headers: Record<string, string>;
  /** A keep-alive agent the caller keeps across runs, so later runs measure warm connections, not their setup. */
  agent: http.Agent;
  /** Requests started per second, whatever the answers' pace: an open loop, as users arrive. */
  rate: number;
  /** How long to run; with `until`, at most this long. */
  seconds: number;
  /** Stop starting requests when this settles. */
  until?: Promise<unknown>;
}

/**
 * GETs at a fixed rate (an open loop), each timed from when it was due to start to its last byte, so
 * a stall delays the requests behind it and shows in their latencies (no coordinated omission). A
 * closed loop at saturation measures how the machine's cores are shared instead: on two cores any
 * extra process (a GC pass) lengthens every queue, which is lost throughput, not slower answers.
 * Node's own client: at a few hundred requests a second it needs a small part of a core.
 */
export async function pacedGets(spec: PacedSpec): Promise<LoadResult> {
  const { agent } = spec;
  const total = Math.ceil(spec.rate * spec.seconds);
  const latencies = new Float64Array(total);
  let stopped = false;
  spec.until?.then(
    () => (stopped = true),
    () => (stopped = true),
  );
  let started = 0;
  let done = 0;
  let errors = 0;
  const intervalMs = 1000 / spec.rate;
  const t0 = performance.now();
  const get = (dueAt: number, slot: number): Promise<void> =>
    new Promise((resolve) => {
      const request = http.get(spec.url, { agent, headers: spec.headers }, (response) => {
        response.on('data', () => {});
        response.on('end', () => {
          if (response.statusCode !== 200) errors++;
          latencies[slot] = performance.now() - dueAt;
          done++;
          resolve();
        });
      });
      request.on('error', () => {
        errors++;
        latencies[slot] = performance.now() - dueAt;
        done++;
        resolve();
      });
    });
  const inFlight = new Set<Promise<void>>();
  while (started < total && !stopped) {
    // Start every request that is due by now, then sleep until the next one is.
    const elapsed = performance.now() - t0;
    while (started < total && started * intervalMs <= elapsed) {
      const request = get(t0 + started * intervalMs, started);
      inFlight.add(request);
      void request.then(() => inFlight.delete(request));
      started++;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started * intervalMs - (performance.now() - t0))));
  }
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(inFlight);
  const sorted = latencies.subarray(0, done).sort();
  const percentile = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { requests: done, seconds, rate: done / seconds, p50Ms: percentile(0.5), p99Ms: percentile(0.99), errors, tool: 'node http (paced)' };
}
