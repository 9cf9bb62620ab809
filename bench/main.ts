// `npm run bench`: Berth and the CNCF reference registry side by side on this machine; for the
// scenarios with an authentication-cost target, Berth with authentication off as well.
// Options: --only push,pull  --quick  --reference-only  --docs/--no-docs  --json FILE
//          --log-level LEVEL  --keep  --strict  --berth-node-args="--cpu-prof ..."
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH_SCOPE } from './berth-access.js';
import { MiB, sha256Rate } from './data.js';
import { diskWriteRate, ForeignCpu, machineFacts } from './machine.js';
import { RegistryClient } from './registry-client.js';
import { authTable, fmt, judge, judgeAuth, markdownTable, notesList, resultsTable, textTable, type AuthJudged, type Judged, type Outcome } from './report.js';
import { Fixtures, FULL, GROUPS, MANIFEST_REPO, median, ping, QUICK, type Group, type RunContext, type Sample } from './scenarios.js';
import { berthLauncher, berthMissing, ensureTool, REFERENCE_BIN, startBerth, startReference, toolVersion, type BerthLauncher, type Server, type ServerName } from './servers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const USAGE = `usage: npm run bench -- [options]
  --only GROUPS           comma-separated subset of: ${GROUPS.map((g) => g.id).join(', ')}
  --quick                 small sizes and short runs (a smoke run, figures not comparable)
  --reference-only        do not start Berth
  --log-level LEVEL       log level for both registries (default warn)
  --docs / --no-docs      write docs/benchmarks.md (default: for a full run that measured Berth)
  --json FILE             also write the raw results as JSON
  --keep                  keep the registries' temporary data directories
  --strict                exit 1 when any target fails
  --berth-node-args=S     node flags for the Berth servers (e.g. --berth-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof")`;

function log(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

function parse() {
  return parseArgs({
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'reference-only': { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'warn' },
      docs: { type: 'boolean' },
      'no-docs': { type: 'boolean', default: false },
      json: { type: 'string' },
      keep: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      'berth-node-args': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

function options() {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse().values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const ids = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = ids?.filter((id) => !GROUPS.some((g) => g.id === id)) ?? [];
  if (unknown.length) {
    console.error(`unknown group(s): ${unknown.join(', ')}\n${USAGE}`);
    process.exit(2);
  }
  const groups = ids ? GROUPS.filter((g) => ids.includes(g.id)) : [...GROUPS];
  const full = !values.quick && !ids;
  return { ...values, groups, docs: values['no-docs'] ? false : values.docs, full };
}

async function withTimeout<T>(work: Promise<T>, seconds: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`timed out after ${seconds} s`));
    }, seconds * 1000);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One registry's progress through a group: its rounds' samples, or the error that ended them. */
class Lane {
  readonly samples: Record<string, Sample>[] = [];
  readonly foreign: number[] = [];
  error: string | undefined;
  readonly client: RegistryClient;

  constructor(
    readonly server: Server,
    readonly state: RunContext['state'],
    readonly berth?: BerthLauncher,
  ) {
    this.client = new RegistryClient(server.base, server.headers);
  }

  /** Runs one step (setup or a round) within the time limit; the first failure ends the lane. */
  async step(what: string, fn: (ctx: RunContext) => Promise<Record<string, Sample> | void>, fx: Fixtures): Promise<void> {
    if (this.error !== undefined) return;
    const cpu = new ForeignCpu();
    const t0 = performance.now();
    try {
      const ctx: RunContext = { server: this.server, client: this.client, fx, p: fx.p, state: this.state, ...(this.berth && { berth: this.berth }) };
      const out = await withTimeout(fn(ctx), fx.p.roundTimeoutSec, () => this.client.close());
      if (out) {
        this.samples.push(out);
        const share = cpu.share();
        this.foreign.push(share);
        const summary = Object.entries(out).map(([k, v]) => `${k} ${v.value.toFixed(1)}`).join(', ');
        log(`[${this.server.name}] ${what}: ${summary} (${((performance.now() - t0) / 1000).toFixed(1)} s, other load ${(share * 100).toFixed(0)}%)`);
      }
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      log(`[${this.server.name}] ${what}: ERROR ${this.error}\n--- last lines of its log:\n${this.server.logTail(20)}\n---`);
    }
  }

  /** The row's figure: the median of the rounds, the peak of their RSS; `withLoad` adds the other load seen. */
  outcome(rowId: string, unit: string, withLoad: boolean): Outcome {
    const rounds = this.samples.map((s) => s[rowId]).filter((s): s is Sample => s !== undefined);
    const values = rounds.map((s) => fmt(s.value)).join(', ');
    if (this.error !== undefined) {
      const before = rounds.length ? ` (after ${rounds.length} good round${rounds.length > 1 ? 's' : ''}: ${values} ${unit})` : '';
      return { error: `${this.error}${before}` };
    }
    if (!rounds.length) return undefined;
    const rss = rounds.map((s) => s.rssMiB).filter((v): v is number => v !== undefined);
    const load = Math.max(...this.foreign) * 100;
    const parts = [rounds.length > 1 ? `rounds ${values} ${unit}` : '', rounds.at(-1)?.detail ?? '', withLoad && load >= 10 ? `other processes used up to ${load.toFixed(0)}% CPU` : ''];
    return {
      value: median(rounds.map((s) => s.value)),
      detail: parts.filter(Boolean).join('; '),
      ...(rss.length ? { rssMiB: Math.max(...rss) } : {}),
    };
  }
}

/** Whether a group's targets need Berth with authentication off: only those that say what auth may cost. */
const needsAuthOff = (group: Group): boolean => group.rows.some((r) => r.authCost);

/** Whether any of a group's rows is something the reference can do. */
const measuresReference = (group: Group): boolean => group.rows.some((r) => r.reference === undefined);

/** Setup on each registry the group measures, then the rounds alternating between them, then teardown. */
async function runGroup(group: Group, servers: readonly Server[], fx: Fixtures, states: Map<Server, RunContext['state']>, berth?: BerthLauncher): Promise<Map<ServerName, Lane>> {
  const measured = servers.filter((s) => (s.name !== 'berth-noauth' || needsAuthOff(group)) && (s.name !== 'reference' || measuresReference(group)));
  const lanes = measured.map((s) => new Lane(s, states.get(s) ?? {}, s.name === 'berth' ? berth : undefined));
  for (const lane of lanes) {
    await lane.step(`${group.id} setup`, async (ctx) => {
      await ping(ctx.client);
      await group.setup?.(ctx);
    }, fx);
  }
  const rounds = group.rounds(fx.p);
  for (let k = 0; k < rounds; k++) {
    for (const lane of lanes) await lane.step(`${group.id} ${k + 1}/${rounds}`, (ctx) => group.round(ctx, k), fx);
  }
  for (const lane of lanes) {
    if (group.teardown) {
      const ctx: RunContext = { server: lane.server, client: lane.client, fx, p: fx.p, state: lane.state };
      await group.teardown(ctx).catch((err: unknown) => log(`[${lane.server.name}] ${group.id} teardown: ${(err as Error).message}`));
    }
    lane.client.close();
  }
  return new Map(lanes.map((l) => [l.server.name, l]));
}

async function main(): Promise<void> {
  const opts = options();
  const p = opts.quick ? QUICK : FULL;
  const started = new Date();
  const servers: Server[] = [];
  /** Servers scenarios start for themselves (they stop them too; stopping twice is harmless). */
  const extra: Server[] = [];
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    await Promise.all([...servers, ...extra].map((s) => s.stop()));
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      log(`${sig}: stopping the registries`);
      void stopAll().finally(() => process.exit(130));
    });
  }

  // Tools and servers that are there to be measured.
  const skipped: string[] = [];
  const refProblem = ensureTool(REFERENCE_BIN, 'docker-registry');
  if (refProblem) skipped.push(`reference registry: ${refProblem}`);
  const uses = (...ids: string[]): boolean => opts.groups.some((g) => ids.includes(g.id));
  const tools: (readonly [string, string])[] = [];
  if (uses('manifest')) tools.push(['wrk', 'wrk'], ['ab', 'apache2-utils']);
  else if (uses('maintenance')) tools.push(['wrk', 'wrk']);
  if (uses('pull', 'memory')) tools.push(['curl', 'curl']);
  for (const [bin, pkg] of tools) {
    const problem = ensureTool(bin, pkg);
    if (problem) {
      log(`${problem}; the scenarios that use it will fail`);
      skipped.push(problem);
    }
  }
  let berthProblem = opts['reference-only'] ? 'skipped (--reference-only)' : berthMissing(ROOT);
  if (berthProblem && !opts['reference-only']) {
    log(`BERTH IS NOT BUILT: ${berthProblem}. Measuring the reference registry only.`);
  }

  log('measuring single-core SHA-256 and the disk write rate');
  const sha = sha256Rate(opts.quick ? 128 * MiB : 512 * MiB, 2);
  const disk = await diskWriteRate(opts.quick ? 128 * MiB : 512 * MiB, 2);
  log(`SHA-256 ${sha.toFixed(0)} MB/s, disk write+fdatasync ${disk.toFixed(0)} MB/s`);

  const fx = new Fixtures(p);
  const t0 = performance.now();
  for (const g of opts.groups) g.prepare?.(fx);
  log(`fixtures ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const logLevel = opts['log-level'];
  if (!refProblem && opts.groups.some(measuresReference)) {
    try {
      servers.push(await startReference({ logLevel, keep: opts.keep }));
    } catch (err) {
      skipped.push(`reference registry failed to start: ${(err as Error).message}`);
      log(skipped.at(-1) ?? '');
    }
  }
  let launcher: BerthLauncher | undefined;
  if (!berthProblem) {
    try {
      const nodeArgs = opts['berth-node-args'];
      const berth = { root: ROOT, logLevel, keep: opts.keep, ...(nodeArgs ? { nodeArgs: nodeArgs.split(/\s+/).filter(Boolean) } : {}) };
      launcher = berthLauncher({ ...berth, auth: { policyRepository: MANIFEST_REPO } }, (s) => extra.push(s));
      servers.push(await startBerth({ ...berth, auth: { policyRepository: MANIFEST_REPO } }));
      if (opts.groups.some(needsAuthOff)) servers.push(await startBerth({ ...berth, auth: false }));
    } catch (err) {
      berthProblem = `failed to start: ${(err as Error).message}`;
      log(`berth ${berthProblem}`);
    }
  }
  for (const s of servers) log(`${s.name} at ${s.base.href} (pid ${s.pid}, data in ${s.dataDir})`);

  const results = new Map<string, Partial<Record<ServerName, Outcome>>>();
  const states = new Map<Server, RunContext['state']>(servers.map((s) => [s, {}]));
  const load = new ForeignCpu();
  try {
    for (const group of opts.groups) {
      const lanes = await runGroup(group, servers, fx, states, launcher);
      group.rows.forEach((row, i) => {
        results.set(row.id, Object.fromEntries([...lanes].map(([name, lane]) => [name, lane.outcome(row.id, row.unit, i === 0)])));
      });
    }
  } finally {
    await stopAll();
  }
  const otherLoad = load.share();

  const outcome = (id: string, server: ServerName): Outcome => results.get(id)?.[server];
  const rows = opts.groups.flatMap((g) => g.rows);
  const judged: Judged[] = rows.map((spec) => judge({ spec, reference: outcome(spec.id, 'reference'), berth: outcome(spec.id, 'berth') }, sha));
  const authJudged: AuthJudged[] = rows.flatMap((spec) => {
    const { id, authCost } = spec;
    if (!authCost) return [];
    return [judgeAuth({ spec: { ...spec, authCost }, reference: outcome(id, 'reference'), authOff: outcome(id, 'berth-noauth'), berth: outcome(id, 'berth') })];
  });
  const refVersion = refProblem ? 'not available' : toolVersion(REFERENCE_BIN, ['--version']);
  const facts: [string, string][] = [
    ...machineFacts(ROOT),
    ['reference', refVersion],
    ['registries', `filesystem storage under ${os.tmpdir()}, log level ${logLevel}, no access log; Berth with token auth and policy checks on (Berth with auth off only in the authentication-cost comparison)`],
    ['SHA-256, one core (node crypto, 64 KiB updates)', `${sha.toFixed(0)} MB/s`],
    ['disk sequential write + fdatasync (tmpdir)', `${disk.toFixed(0)} MB/s`],
    ['other processes on the machine during the run', `${(otherLoad * 100).toFixed(0)}% of all CPUs on average${otherLoad >= 0.1 ? ' — figures are disturbed' : ''}`],
  ];
  if (berthProblem) facts.push(['berth', `NOT MEASURED: ${berthProblem}`]);
  for (const s of skipped) facts.push(['note', s]);
  if (opts.quick) facts.push(['mode', '--quick (smoke run; small sizes, not comparable with the targets)']);

  const plain = (text: string): string => text.replace(/\*\*/g, '');
  console.log(`\n${facts.map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${textTable(resultsTable(judged))}\n`);
  const notes = notesList(judged);
  if (notes) console.log(`${plain(notes)}\n`);
  if (authJudged.length) {
    console.log(`${AUTH_TITLE}\n\n${textTable(authTable(authJudged))}\n`);
    const authNotes = notesList(authJudged);
    if (authNotes) console.log(`${plain(authNotes)}\n`);
  }
  const failed = [...judged.map((j) => ({ id: j.spec.id, result: j.result })), ...authJudged.map((j) => ({ id: `${j.spec.id} (auth cost)`, result: j.result }))].filter(
    (j) => j.result === 'FAIL' || j.result === 'ERROR',
  );
  console.log(failed.length ? `${failed.length} target(s) not met: ${failed.map((j) => j.id).join(', ')}` : berthProblem ? 'Berth not measured.' : 'All targets met.');

  if (opts.json) {
    writeFileSync(opts.json, JSON.stringify({ started, params: p, sha, disk, facts, results: Object.fromEntries(results), judged, authJudged }, null, 2));
  }
  if (opts.docs ?? (opts.full && !berthProblem)) {
    const file = path.join(ROOT, 'docs', 'benchmarks.md');
    writeFileSync(file, renderDocs(started, facts, judged, authJudged, opts.quick, opts.groups));
    log(`wrote ${file}`);
  }
  if (opts.strict && failed.length) process.exitCode = 1;
}

const AUTH_TITLE = 'Authentication cost: Berth with token auth and policy checks (auth on) against the reference and against Berth with BERTH_AUTH=false (auth off)';

function authSection(authJudged: readonly AuthJudged[]): string {
  return `
## Authentication cost

Berth with token auth and policy checks (auth on: the Berth of the table above) against the reference and against
a second Berth started with \`BERTH_AUTH=false\` (auth off: every request acts as the administrator, unchecked),
in the manifest scenario, its rounds alternating among the three servers. The target: with a registry token on
every request and both an identity policy and a repository policy evaluated, manifest reads stay >= 4x the
reference's without auth and within 25% of Berth without auth (on ÷ off >= 0.75).

${markdownTable(authTable(authJudged))}

${notesList(authJudged)}
`;
}

function renderDocs(date: Date, facts: readonly [string, string][], judged: readonly Judged[], authJudged: readonly AuthJudged[], quick: boolean, groups: readonly Group[]): string {
  const p = quick ? QUICK : FULL;
  const partial = groups.length === GROUPS.length ? '' : ` -- --only ${groups.map((g) => g.id).join(',')}`;
  return `# Benchmarks: Berth and the CNCF reference registry

Generated by \`npm run bench${quick ? ' -- --quick' : ''}${partial}\` on ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC.
The file is rewritten by every full run; the tables below are that run's output.

## Machine and software

${facts.map(([k, v]) => `- ${k}: ${v}`).join('\n')}

## Results

Berth is measured as deployed: private, every request authenticated with a registry token and authorised by its
policies (see Methodology). Ratio is how many times better Berth is (Berth ÷ reference for rates, reference ÷ Berth
for times). MB is 10^6 bytes. Peak RSS is the server process tree's VmRSS during the measured part of the scenario.
On this shared 2-core VM one round often differs from the next by 20–30%: a ratio that close to its target is not
settled by one run (see the rounds under "Per-scenario details").

${markdownTable(resultsTable(judged))}

Why the targets that fail here fail, what was tried and what is left: [performance.md](performance.md).

### Per-scenario details

${notesList(judged) || '(none)'}
${authJudged.length ? authSection(authJudged) : ''}
## How to run

\`\`\`
npm run bench                       # full run, rewrites this file (8–12 minutes)
npm run bench -- --only push,pull   # some scenarios (groups: ${GROUPS.map((g) => g.id).join(', ')})
npm run bench -- --quick            # smoke run with small sizes
npm run bench -- --only maintenance # lifecycle and garbage collection only
npm run bench -- --only scanning    # image scanning only (needs ../shared/vulndb)
npm run bench -- --reference-only   # the reference registry alone
\`\`\`

\`npm run bench\` compiles the project (\`tsc -p tsconfig.json\`) and runs \`dist/bench/main.js\`. It needs
\`/usr/bin/docker-registry\` (Debian package \`docker-registry\`), \`wrk\`, \`ab\` (\`apache2-utils\`) and \`curl\`;
when one is missing and the bench runs as root it installs it with \`apt-get install -y\`.
If Berth is not built (\`bin/berth\` or \`dist/src/cli/main.js\` missing) it says so and measures the reference alone.
To see where Berth spends its time in a scenario: \`npm run bench -- --only manifest --berth-node-args="--cpu-prof --cpu-prof-dir=/tmp/prof"\`,
then \`node dist/bench/profile-summary.js /tmp/prof/CPU.*.PID.*.cpuprofile\`: one profile per Berth server, named by the
pids the bench logs at start (\`berth\` with auth on, \`berth-noauth\` with it off). The maintenance scenario's own servers
and its \`berth gc\` processes get the same flags, so they leave profiles too.

## Methodology

- **Side by side, one run.** The registries run at the same time on loopback, each with filesystem storage in
  its own new temporary directory on the same disk, driven by the same client with the same data and parameters.
  Each scenario first runs an untimed setup and warm-up on each registry, then its measured rounds alternate
  (reference round 1, Berth round 1, reference round 2, …; in the manifest scenario Berth with auth off takes its
  turn after Berth), so a burst of load from elsewhere does not fall on one registry only; a figure is the median
  of its rounds (all rounds are listed under "Per-scenario details"). An idle registry costs nothing measurable
  while another is measured.
- **Other load.** The bench measures the CPU used by processes other than itself, its registries and its load
  generators (from \`/proc/stat\` less its own process tree). It is reported for the run and, when a round saw 10%
  or more, in that scenario's details; kernel threads doing disk writeback for the registries count as "other" too.
- **Configuration.** Reference: \`docker-registry\` (distribution 2.8, Debian package) with \`log.level\` set to the
  bench's level (default \`warn\`), \`log.accesslog.disabled: true\`, the in-memory blob descriptor cache (its
  Debian default), no auth. Berth: \`bin/berth serve --host 127.0.0.1 --port N --data-dir DIR --create-on-push
  --log-level warn\`, which at \`warn\` writes no per-request log, with \`BERTH_ACCOUNT_ID=${BENCH_SCOPE.account}\`,
  \`BERTH_REGION=${BENCH_SCOPE.region}\` and \`BERTH_ADMIN_ACCESS_KEY_ID\`/\`BERTH_ADMIN_SECRET_ACCESS_KEY\` set to an
  administrator key made up for the run. Neither registry writes an access log.
- **Authentication.** Berth runs as deployed, private, and the bench uses it as a CI job would
  (\`bench/berth-access.ts\`). With the administrator's key, over the ECR and IAM APIs (SigV4 by the AWS SDK's
  signer, \`@smithy/signature-v4\`), it creates \`${MANIFEST_REPO}\` and gives it a repository policy (the account
  may pull, the admin user may push, a Deny of \`ecr:*\` from outside private networks with a \`NotIpAddress\`
  condition), then replaces the admin's \`AdministratorAccess\` with a scoped identity policy (login; push and pull
  on \`repository/bench/*\`; a Deny of deletes; a Deny of \`ecr:*\` outside ${BENCH_SCOPE.region} with a
  \`StringNotEquals\` condition), and logs in with \`GetAuthorizationToken\`, as \`aws ecr get-login-password\` does.
  Every request to Berth, from the Node client, curl, wrk and ab alike, carries
  \`Authorization: Basic base64("AWS:<token>")\`, so each manifest read verifies the token and evaluates both
  policies, conditions included; the bench checks that a request without it is refused (401). The reference has
  no auth.
- **Durability differs.** Berth makes a blob durable (fsync) before it reports it committed; the reference's
  filesystem driver does not fsync. The "disk sequential write + fdatasync" line is how fast this machine's disk
  makes bytes durable, a bound for a registry that syncs, whatever its CPU cost.
- **Payloads.** One random 8 MiB buffer is generated per run; a large blob is that buffer repeated with its first
  8 MiB copied and made unique, so every measured push is a new blob that no registry can deduplicate. Small blobs
  are a unique 32-byte header plus a slice of the same buffer, sizes uniform in 4–64 KiB from a seeded generator, so
  both registries get the same sizes. All digests are computed before any timing starts.
- **Blob push** (${p.bigBlob / MiB} MiB, ${p.bigRounds} rounds, after a ${p.warmBlob / MiB} MiB warm-up per mode):
  monolithic is \`POST /v2/<name>/blobs/uploads/\` then \`PUT <location>?digest=\` with the whole body streamed from
  memory in 8 MiB writes with backpressure; chunked is the POST, one \`PATCH\` per 8 MiB chunk with
  \`Content-Range: start-end\` and \`Content-Type: application/octet-stream\`, following each \`Location\`, then
  \`PUT ?digest=\` with no body. Timed from the POST to the final 201. The target also asks for at least half the
  single-core SHA-256 rate measured at the start of the same run.
- **Small blobs**: ${p.smallConcurrency} concurrent workers, each blob a POST then a PUT ?digest= with the body (the
  reference does not implement the single-POST monolithic upload, so both get POST+PUT); ${p.smallWarm} warm-up
  blobs, then ${p.smallRounds} rounds of ${p.smallSeconds} s, each with its own pool of new blobs.
- **Blob pull**: \`GET /v2/<name>/blobs/<digest>\` of the last ${p.bigBlob / MiB} MiB blob pushed, body counted and
  discarded by \`curl\` (a Node client reading 64 KiB at a time cannot keep up with the reference), ${p.pullRounds}
  rounds after one warm-up pull; the blob is in the page cache for both registries.
- **Manifest HEAD and GET by tag**: an OCI image manifest is pushed as \`${MANIFEST_REPO}:latest\`; every request carries
  docker's Accept list (Docker manifest v2, Docker manifest list, OCI index, OCI manifest; comma-joined).
  ${p.manifestConnections} keep-alive connections; ${p.manifestWarmSeconds} s warm-up per method, then ${p.manifestRounds}
  rounds of ${p.manifestSeconds} s per method. GET uses \`wrk -t1\`; HEAD uses ApacheBench (\`ab -k -i\`), because wrk 4.1
  waits for a body after a HEAD response and never completes one. Native generators because a Node generator would
  take much of this 2-core machine from the server under test; both are single-threaded, so they use at most one
  core. p99 is the generator's percentile over all requests of a round (not corrected for coordinated omission);
  a non-2xx response fails the scenario. Measured on three servers: the reference, Berth (auth on) and Berth
  with \`BERTH_AUTH=false\`, for the authentication-cost comparison.
- **Tags**: per round, ${p.tagCount.toLocaleString('en-US')} distinct OCI manifests (same config and layer, a
  different \`org.opencontainers.image.revision\` annotation each) are PUT by tag into a new repository by
  ${p.tagConcurrency} concurrent workers (after 50 warm-up tags in another repository); ${p.tagRounds} rounds. Listing:
  \`GET /v2/<name>/tags/list\`, and the walk from \`?n=100\` following \`Link: <…>; rel="next"\` until there is none,
  each the median of ${p.listRuns} after a warm-up, each checked to return every tag exactly once. **The reference
  (distribution 2.8) ignores \`n\` and returns all tags in one response without a Link header**, so its "paginated"
  figure is a single request where Berth's is ${Math.ceil(p.tagCount / 100)}.
- **Memory**: VmRSS of the server's process tree (its pid and descendants) is read from \`/proc\` every 100 ms for
  the whole run; the memory scenario pushes a ${p.memBlob / MiB} MiB blob monolithically and pulls it back and
  reports the peak. The table's last column gives the same peak over the other scenarios' measured parts.
- **Client.** Pushes (large and small) and tags use one Node \`http.Agent\` with keep-alive inside the bench
  process, the same for both registries; it streamed 512 MiB PUTs at 2.1–3.4 GB/s into a trivial socket sink on this
  machine, well above every push figure here, so it is not what limits them. Pulls use curl (above).
- **Maintenance** (\`bench/maintenance.ts\`; Berth only: distribution 2.8 has no lifecycle policies, and its
  \`registry garbage-collect\` needs the registry stopped or read-only for the whole pass). The stores are seeded
  untimed through the metadata store's own methods in transactions of 1,000 images, blob bytes written straight
  to the fs object store's files at their blob keys (\`bench/seed-store.ts\`); nothing goes over HTTP.
  *Lifecycle*: one SQLite repository of ${p.lifecycleImages.toLocaleString('en-US')} images
  (\`bench/lifecycle-images.ts\`, the repository \`test/unit/lifecycle-performance.test.ts\` checks: releases, branch
  builds, seed-style prod/dev/staging/latest tags, untagged builds, indexes with a platform image, signatures,
  pushed over two years, two in three pulled) and its 5-rule policy; timed: \`LifecycleRunner.run({ dryRun: true,
  repositoryName })\` in the bench process, what \`berth lifecycle run --dry-run --repository\` does (load the
  candidates from the store, evaluate), then the evaluation alone over the same candidates.
  *GC pass*: ${p.gcBlobs.toLocaleString('en-US')} blobs of 256 B–2 KiB, ten per image, each recorded, linked and
  referenced by a manifest that was then deleted, so every link and blob is due; timed: one
  \`GarbageCollector.collect({ gracePeriodMs: 0 })\` in the bench process (what \`berth gc --grace-period 0\` runs),
  checked to remove every link and blob and to leave none of their files.
  *GC beside a server*: a new Berth (auth on, started as the other) over ${p.gcOnlineBlobs.toLocaleString('en-US')}
  such due blobs, an image pushed as \`bench/retired:latest\`; manifest GET by tag at a fixed ${p.gcGetRate} requests a
  second (an open loop from Node's http client, each request timed from when it was due to its last byte, so
  stalls count) after a ${p.manifestWarmSeconds + p.manifestSeconds} s warm-up: idle, the median p99 of three
  ${p.manifestSeconds} s windows; then while \`bin/berth gc --grace-period 0\` runs as its own process, until the
  pass exits. A fixed rate, not wrk's saturating closed loop: at saturation on two cores any third busy process
  lengthens every queue, which measures the cores the pass takes, not how fast the registry answers. The row divides
  the second p99 by the first. ${p.maintenanceRounds} rounds of each of the three.
- **Scanning** (\`bench/scanning.ts\`; Berth only: distribution 2.8 has no image scanning). Untimed setup: an image of
  5 gzip'd layers (gzip's default level) holding about 500 MB of tar (uncompressed) made from this machine's files in
  this order: its dpkg status and os-release, \`/usr/lib/python3*\`, \`/usr/lib/node_modules\`, \`/usr/bin\`, shared
  libraries, \`/usr/share\`; the layer blobs are written into an fs object store, and the published OSV archives
  (\`../shared/vulndb/{Debian,PyPI,npm}/all.zip\`) are imported into a SQLite store. *Image scan*: the server's
  own scan path, \`workerInventoryReader\` (one worker thread reading the layers from the object store), timed to
  its inventory; against \`zcat < layer | tar -t > /dev/null\` over the same layer files one after the other, in
  alternating order from round to round; the row divides the first by the second. *Re-match*: an inventory of
  500 packages taken from the scanned one (every language package, then Debian packages) matched with
  \`matchStoredInventory\` (the database lookups and the matching, what continuous scanning does per image), the
  median of 15 matches per round. 3 rounds of each.
- **Bounds.** Every request has a socket timeout, each setup or round a time limit (${p.roundTimeoutSec} s), and load
  runs have a fixed duration; a full run takes four to five minutes, and the maintenance scenarios three to eight more.
`;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
