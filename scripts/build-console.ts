/**
 * Builds the console (web/) into dist/web: one bundle per entry with content-hashed names under
 * assets/, each also gzip- and brotli-compressed so the server sends them without compressing per
 * request, an index.html that loads them, and build.json listing what the first load fetches.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const WEB = join(ROOT, 'web');
const OUT = join(ROOT, 'dist/web');

export interface ConsoleBuild {
  /** Asset paths relative to dist/web, in the order index.html loads them. */
  firstLoad: { path: string; bytes: number; gzipBytes: number; brotliBytes: number }[];
}

async function main(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  const result = await build({
    entryPoints: [join(WEB, 'src/main.tsx')],
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: join(OUT, 'assets'),
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs);
  const entry = outputs.find(([, output]) => output.entryPoint?.endsWith('main.tsx'));
  if (!entry) throw new Error('esbuild produced no entry bundle');
  const [entryPath, entryOutput] = entry;
  const assetPath = (path: string) => `assets/${basename(path)}`;
  const firstLoadFiles = [entryPath, ...entryOutput.imports.filter((i) => i.kind === 'import-statement').map((i) => i.path)];
  if (entryOutput.cssBundle) firstLoadFiles.push(entryOutput.cssBundle);

  for (const [path] of outputs) {
    if (path.endsWith('.map')) continue;
    const bytes = readFileSync(path);
    writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
    writeFileSync(`${path}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  }

  const tags = firstLoadFiles.map((path) =>
    path.endsWith('.css')
      ? `<link rel="stylesheet" href="/console/${assetPath(path)}">`
      : path === entryPath
        ? `<script type="module" src="/console/${assetPath(path)}"></script>`
        : `<link rel="modulepreload" href="/console/${assetPath(path)}">`,
  );
  const html = readFileSync(join(WEB, 'index.html'), 'utf8').replace(/\n\s*<\/head>/, `\n    ${tags.join('\n    ')}\n  </head>`);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'index.html'), html);
  const manifest: ConsoleBuild = {
    firstLoad: firstLoadFiles.map((path) => ({
      path: assetPath(path),
      bytes: readFileSync(path).length,
      gzipBytes: readFileSync(`${path}.gz`).length,
      brotliBytes: readFileSync(`${path}.br`).length,
    })),
  };
  writeFileSync(join(OUT, 'build.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

await main();
