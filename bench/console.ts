// Issue 6's console target: a first load of /console fetches under 300 KB of compressed JS. Measured
// over HTTP against the running Berth as a browser asks (Accept-Encoding: gzip, the weaker of the two
// encodings the server has), and, with Debian's Chromium present, the time a cold browser takes from
// navigation to the sign-in form. Berth only: distribution 2.8 has no console.
import { browserUnavailable, launchChromium } from '../test/support/browser.js';
import type { Group, RowSpec, RunContext, Sample } from './scenarios.js';

/** Console target (issue 6): KB of compressed JS on first load. */
const FIRST_LOAD_MAX_KB = 300;
const ROUNDS = 3;
const KB = 1000;

const NO_CONSOLE = { cell: 'none', note: 'distribution 2.8 has no web console' };
const rows: RowSpec[] = [
  { id: 'console-js', label: 'console first load: compressed JS (gzip)', unit: 'KB', better: 'lower', target: { kind: 'below', max: FIRST_LOAD_MAX_KB }, reference: NO_CONSOLE },
  { id: 'console-bytes', label: 'console first load: HTML + JS + CSS (gzip)', unit: 'KB', better: 'lower', target: { kind: 'info' }, reference: NO_CONSOLE },
  { id: 'console-ready', label: 'console cold load to sign-in form, headless Chromium', unit: 'ms', better: 'lower', target: { kind: 'info' }, reference: NO_CONSOLE },
];

/** What /console makes a browser fetch first: the page and the scripts, preloads and stylesheets it names. */
async function firstLoad(ctx: RunContext): Promise<{ jsBytes: number; allBytes: number; files: number }> {
  const fetchSize = async (path: string) => {
    const response = await fetch(new URL(path, ctx.server.base), { headers: { 'accept-encoding': 'gzip' } });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
    // fetch decodes the body; the wire size is the encoded one the server sent.
    const body = Buffer.from(await response.arrayBuffer());
    return { html: body.toString('utf8'), bytes: Number(response.headers.get('content-length') ?? body.length) };
  };
  const page = await fetchSize('/console');
  const assets = [...page.html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  let jsBytes = 0;
  let allBytes = page.bytes;
  for (const asset of assets) {
    const { bytes } = await fetchSize(asset);
    allBytes += bytes;
    if (asset.endsWith('.js')) jsBytes += bytes;
  }
  return { jsBytes, allBytes, files: assets.length + 1 };
}

async function browserReady(ctx: RunContext): Promise<Sample> {
  const problem = browserUnavailable();
  if (problem) return { value: Number.NaN, detail: `not measured: ${problem}` };
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext()).newPage();
    const t0 = performance.now();
    await page.goto(new URL('/console', ctx.server.base).href);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    return { value: performance.now() - t0, detail: 'fresh browser context (empty cache)' };
  } finally {
    await browser.close();
  }
}

export const consoleGroup: Group = {
  id: 'console',
  rows,
  rounds: () => ROUNDS,
  async round(ctx) {
    const load = await firstLoad(ctx);
    return {
      'console-js': { value: load.jsBytes / KB, detail: `${load.files} files on first load` },
      'console-bytes': { value: load.allBytes / KB },
      'console-ready': await browserReady(ctx),
    };
  },
};
