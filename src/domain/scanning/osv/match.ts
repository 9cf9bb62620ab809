import type { InstalledPackage, Inventory } from '../inventory/model.js';
import { assessSeverity, type CvssScore, type Severity } from '../severity.js';
import { compareText } from '../versions/characters.js';
import type { VersionOrdering } from '../versions/ordering.js';
import { versionOrderingFor } from '../versions/registry.js';
import { semverOrdering } from '../versions/semver.js';
import { packageKey } from '../vulndb/package-key.js';
import { osvPackageRef } from './ecosystems.js';
import type { OsvAffected, OsvRange, OsvRecord } from './record.js';

/** One `affected[]` entry of a stored OSV record, with the id of the record it belongs to. */
export interface AffectedEntry {
  recordId: string;
  /** The record carries `withdrawn`: it no longer stands. */
  withdrawn: boolean;
  affected: OsvAffected;
}

/**
 * Reads the vulnerability database. `affected`: the entries of `ecosystem` (exactly, as "Debian:12")
 * whose package name is one of `names`, compared as `packageKey` normalises them. `records`: the
 * records with these ids (their `affected` lists not needed), asked only for the entries that matched.
 */
export interface VulnerabilityLookup {
  affected(ecosystem: string, names: readonly string[]): Promise<Iterable<AffectedEntry>>;
  records(ids: readonly string[]): Promise<Map<string, OsvRecord>>;
}

/**
 * One vulnerability in one package: what ECR's DescribeImageScanFindings reports in its basic shape
 * (name, uri, severity, description, attributes) and its enhanced one (packageVulnerabilityDetails,
 * vulnerablePackages with fixedInVersion, remediation, score).
 */
export interface Finding {
  /** A CVE when one of the merged records is or names one, else the first record's id. */
  vulnerabilityId: string;
  /** The other ids of the vulnerability: the merged records and their aliases. */
  relatedVulnerabilities: string[];
  /** The OSV records behind the finding, the reported one first. */
  recordIds: string[];
  /** The package as OSV names it, and the installed version that was matched. */
  ecosystem: string;
  packageName: string;
  packageVersion: string;
  /** The installed packages concerned: for a distribution, the binary packages built from the source package. */
  packages: InstalledPackage[];
  /** The lowest fixed version above the installed one; the highest such across merged records. */
  fixedInVersion?: string;
  severity: Severity;
  /** The CVSS score that set the severity (ECR's `score`), when one did. */
  primaryCvss?: CvssScore;
  cvss: CvssScore[];
  vendorSeverity?: string;
  /** A record's summary, when one has it. */
  title?: string;
  /** The reported record's details (or summary). */
  description: string;
  /** Where to read about it: the distribution's tracker, NVD, GitHub or osv.dev. */
  uri: string;
  referenceUrls: string[];
  /** The reported record's `published` and `modified`, as written. */
  publishedAt?: string;
  modifiedAt: string;
}

/** Sorts before every version: OSV's `introduced: "0"`. */
const EARLIEST = Symbol('earliest');
/** Sorts after every version: OSV's `limit: "*"`. */
const LATEST = Symbol('latest');
/** A version as its ordering parsed it, or EARLIEST or LATEST. */
type Bound = unknown;

interface CompiledEvent {
  kind: 'introduced' | 'last_affected' | 'fixed';
  version: string;
  parsed: Bound;
}
interface CompiledRange {
  ordering: VersionOrdering;
  /** Sorted by version; at one version, introduced before last_affected before fixed. */
  events: CompiledEvent[];
  limits: Bound[];
}
interface CompiledAffected {
  ordering: VersionOrdering;
  /** Consulted only when no range includes the version, so a scan beats building a set per entry. */
  versions: readonly string[];
  ranges: CompiledRange[];
}

const EVENT_KINDS = ['introduced', 'last_affected', 'fixed'] as const;
const compiledEntries = new WeakMap<OsvAffected, CompiledAffected>();

function compareBound(ordering: VersionOrdering, a: Bound, b: Bound): number {
  if (a === b) return 0;
  if (a === EARLIEST || b === LATEST) return -1;
  if (b === EARLIEST || a === LATEST) return 1;
  return ordering.compareParsed(a, b);
}

/** Parses a range's events once and sorts them; events whose version does not parse are left out. */
function compileRange(range: OsvRange, ordering: VersionOrdering): CompiledRange {
  const events: CompiledEvent[] = [];
  const limits: Bound[] = [];
  for (const event of range.events) {
    if (event.limit !== undefined) {
      const parsed = event.limit.includes('*') ? LATEST : ordering.parse(event.limit);
      if (parsed !== undefined) limits.push(parsed);
    }
    for (const kind of EVENT_KINDS) {
      const version = event[kind];
      if (version === undefined) continue;
      const parsed = kind === 'introduced' && version === '0' ? EARLIEST : ordering.parse(version);
      if (parsed !== undefined) events.push({ kind, version, parsed });
    }
  }
  events.sort((a, b) => compareBound(ordering, a.parsed, b.parsed) || EVENT_KINDS.indexOf(a.kind) - EVENT_KINDS.indexOf(b.kind));
  return { ordering, events, limits };
}

/** An affected entry ready to evaluate, compiled once per entry and ordering. */
function compileAffected(affected: OsvAffected, ordering: VersionOrdering): CompiledAffected {
  const cached = compiledEntries.get(affected);
  if (cached?.ordering === ordering) return cached;
  const ranges = (affected.ranges ?? [])
    .filter((range) => range.type === 'ECOSYSTEM' || range.type === 'SEMVER')
    .map((range) => compileRange(range, range.type === 'SEMVER' ? semverOrdering : ordering));
  const compiled = { ordering, versions: affected.versions ?? [], ranges };
  compiledEntries.set(affected, compiled);
  return compiled;
}

/** An installed version, parsed at most once per ordering it is compared in. */
class InstalledVersion {
  private readonly parsed = new Map<VersionOrdering, Bound>();

  constructor(readonly text: string) {}

  in(ordering: VersionOrdering): Bound {
    if (!this.parsed.has(ordering)) this.parsed.set(ordering, ordering.parse(this.text));
    return this.parsed.get(ordering);
  }
}

/** OSV's evaluation of one range (https://ossf.github.io/osv-schema/#evaluation). */
function rangeIncludes(range: CompiledRange, version: Bound): boolean {
  const { ordering, events, limits } = range;
  if (limits.length > 0 && !limits.some((limit) => compareBound(ordering, version, limit) < 0)) return false;
  let vulnerable = false;
  for (const event of events) {
    const order = compareBound(ordering, version, event.parsed);
    // Sorted: no later event can change the outcome.
    if (order < 0) break;
    if (event.kind === 'introduced') vulnerable = true;
    else if (event.kind === 'fixed' || order > 0) vulnerable = false;
  }
  return vulnerable;
}

function lowestFixAbove(range: CompiledRange, version: Bound): string | undefined {
  return range.events.find((event) => event.kind === 'fixed' && compareBound(range.ordering, version, event.parsed) < 0)?.version;
}

/** Whether `version` is affected, and the fix to move to: the lowest `fixed` above it in the range that matched. */
function evaluate(compiled: CompiledAffected, installed: InstalledVersion): { fixed?: string } | undefined {
  for (const range of compiled.ranges) {
    const version = installed.in(range.ordering);
    if (version !== undefined && rangeIncludes(range, version)) return { fixed: lowestFixAbove(range, version) };
  }
  if (!compiled.versions.includes(installed.text)) return undefined;
  for (const range of compiled.ranges) {
    const version = installed.in(range.ordering);
    const fixed = version === undefined ? undefined : lowestFixAbove(range, version);
    if (fixed !== undefined) return { fixed };
  }
  return {};
}

/**
 * OSV's evaluation: `version` is affected when the entry's `versions` list holds it or any of its
 * ECOSYSTEM or SEMVER ranges includes it (GIT ranges are ignored). ECOSYSTEM ranges compare in
 * `ordering`, SEMVER ranges in Semantic Versioning's order. Event versions that do not parse in
 * the range's order are ignored; a version that does not parse matches only through `versions`.
 */
export function isAffected(affected: OsvAffected, version: string, ordering: VersionOrdering): boolean {
  return evaluate(compileAffected(affected, ordering), new InstalledVersion(version)) !== undefined;
}

/** The installed packages one OSV package and version stands for: libc6 and libc-bin for glibc 2.36-9+deb12u2. */
interface Subject {
  ecosystems: string[];
  name: string;
  installed: InstalledVersion;
  packages: InstalledPackage[];
  matches: Map<string, MatchedRecord>;
}

interface MatchedRecord {
  /** Filled in once every package is matched: only the matched records are read. */
  record: OsvRecord;
  ecosystem: string;
  ordering: VersionOrdering;
  entries: { affected: OsvAffected; fixed?: string }[];
}

function subjectsOf(inventory: Inventory): Subject[] {
  const subjects = new Map<string, Subject>();
  for (const pkg of inventory.packages) {
    const ref = osvPackageRef(inventory.os, pkg);
    if (ref === undefined) continue;
    const ecosystems = ref.ecosystems.filter((ecosystem) => versionOrderingFor(ecosystem) !== undefined);
    const key = JSON.stringify([ecosystems, ref.name, ref.version]);
    const subject = subjects.get(key);
    if (subject) subject.packages.push(pkg);
    else if (ecosystems.length > 0) subjects.set(key, { ecosystems, name: ref.name, installed: new InstalledVersion(ref.version), packages: [pkg], matches: new Map() });
  }
  return [...subjects.values()];
}

function recordMatch(subject: Subject, { recordId, affected }: AffectedEntry, ecosystem: string, ordering: VersionOrdering): void {
  const match = evaluate(compileAffected(affected, ordering), subject.installed);
  if (match === undefined) return;
  const matched = subject.matches.get(recordId) ?? { record: { id: recordId, modified: '' }, ecosystem, ordering, entries: [] };
  matched.entries.push({ affected, ...(match.fixed !== undefined && { fixed: match.fixed }) });
  subject.matches.set(recordId, matched);
}

/**
 * Matches an inventory against the vulnerability database: one finding per vulnerability and
 * package, withdrawn records left out, records that are aliases of each other merged (and Debian's
 * advisories folded into the CVEs they fix for the same package).
 */
export async function matchInventory(inventory: Inventory, lookup: VulnerabilityLookup): Promise<Finding[]> {
  const subjects = subjectsOf(inventory);
  const byEcosystem = new Map<string, Map<string, Subject[]>>();
  for (const subject of subjects) {
    for (const ecosystem of subject.ecosystems) {
      const byName = byEcosystem.get(ecosystem) ?? new Map<string, Subject[]>();
      byName.set(subject.name, [...(byName.get(subject.name) ?? []), subject]);
      byEcosystem.set(ecosystem, byName);
    }
  }
  const lookups = [...byEcosystem].map(async ([ecosystem, byName]) => ({ ecosystem, byName, entries: await lookup.affected(ecosystem, [...byName.keys()]) }));
  for (const { ecosystem, byName, entries } of await Promise.all(lookups)) {
    const ordering = versionOrderingFor(ecosystem)!;
    for (const entry of entries) {
      const { ecosystem: entryEcosystem, name } = entry.affected.package ?? {};
      if (entry.withdrawn || entryEcosystem !== ecosystem || name === undefined) continue;
      for (const subject of byName.get(packageKey(ecosystem, name)) ?? []) recordMatch(subject, entry, ecosystem, ordering);
    }
  }
  const matched = subjects.flatMap((subject) => [...subject.matches.values()]);
  const records = await lookup.records([...new Set(matched.map(({ record }) => record.id))]);
  for (const match of matched) {
    const record = records.get(match.record.id);
    // A record replaced between the two reads is matched again on the next scan.
    if (record) match.record = record;
  }
  for (const subject of subjects) {
    for (const [id, match] of subject.matches) if (!records.has(match.record.id) || match.record.withdrawn !== undefined) subject.matches.delete(id);
  }
  return subjects
    .flatMap((subject) => vulnerabilitiesOf([...subject.matches.values()]).map((group) => findingFor(subject, group)))
    .sort((a, b) => compareText(a.packageName, b.packageName) || compareText(a.vulnerabilityId, b.vulnerabilityId));
}

/** Debian's advisories (DSA, DLA, DTSA) list the CVEs they fix in `related`. */
const DEBIAN_ADVISORY = /^(DSA|DLA|DTSA)-/;

/**
 * Groups one package's matched records by vulnerability: records naming each other (or a common
 * id) in `aliases` are one; a group of Debian advisories whose `related` CVEs matched the same
 * package joins each of those CVEs' groups instead of standing alone.
 */
function vulnerabilitiesOf(matched: MatchedRecord[]): MatchedRecord[][] {
  const parent = matched.map((_, index) => index);
  const root = (index: number): number => (parent[index] === index ? index : (parent[index] = root(parent[index]!)));
  const owners = new Map<string, number>();
  matched.forEach(({ record }, index) => {
    for (const name of [record.id, ...(record.aliases ?? [])]) {
      const owner = owners.get(name);
      if (owner === undefined) owners.set(name, index);
      else parent[root(index)] = root(owner);
    }
  });
  const groups = new Map<number, MatchedRecord[]>();
  matched.forEach((entry, index) => groups.set(root(index), [...(groups.get(root(index)) ?? []), entry]));
  const isAdvisoryGroup = (group: MatchedRecord[]) => group.every(({ record }) => DEBIAN_ADVISORY.test(record.id));
  for (const [groupRoot, group] of groups) {
    if (!isAdvisoryGroup(group)) continue;
    const fixedCves = new Set(
      group
        .flatMap(({ record }) => record.related ?? [])
        .map((id) => owners.get(id))
        .filter((owner) => owner !== undefined)
        .map(root)
        .filter((cveRoot) => cveRoot !== groupRoot && !isAdvisoryGroup(groups.get(cveRoot)!)),
    );
    for (const cveRoot of fixedCves) groups.get(cveRoot)!.push(...group);
    if (fixedCves.size > 0) groups.delete(groupRoot);
  }
  return [...groups.values()];
}

/** The id to report a group under: a matched CVE record, else a CVE alias, else the first record id. */
function reportedId(group: MatchedRecord[]): string {
  const ids = group.map(({ record }) => record.id).sort(compareText);
  const aliases = group.flatMap(({ record }) => record.aliases ?? []).sort(compareText);
  return ids.find((id) => id.startsWith('CVE-')) ?? aliases.find((id) => id.startsWith('CVE-')) ?? ids[0]!;
}

function vulnerabilityUri(ecosystem: string, id: string): string {
  if (ecosystem.startsWith('Debian')) return `https://security-tracker.debian.org/tracker/${id}`;
  if (ecosystem.startsWith('Ubuntu')) return `https://ubuntu.com/security/${id}`;
  if (id.startsWith('CVE-')) return `https://nvd.nist.gov/vuln/detail/${id}`;
  if (id.startsWith('GHSA-')) return `https://github.com/advisories/${id}`;
  return `https://osv.dev/vulnerability/${id}`;
}

/** The highest of the merged records' fixes, so that moving to it fixes every one of them. */
function highestFix(group: MatchedRecord[]): string | undefined {
  let highest: { version: string; parsed: Bound; ordering: VersionOrdering } | undefined;
  for (const { ordering, entries } of group) {
    for (const { fixed } of entries) {
      const parsed = fixed === undefined ? undefined : ordering.parse(fixed);
      if (fixed === undefined || parsed === undefined) continue;
      if (highest === undefined || (highest.ordering === ordering && ordering.compareParsed(parsed, highest.parsed) > 0)) highest = { version: fixed, parsed, ordering };
    }
  }
  return highest?.version;
}

function findingFor(subject: Subject, group: MatchedRecord[]): Finding {
  const vulnerabilityId = reportedId(group);
  const isReported = ({ record }: MatchedRecord) => record.id === vulnerabilityId || (record.aliases ?? []).includes(vulnerabilityId);
  const records = [...group].sort((a, b) => Number(isReported(b)) - Number(isReported(a)) || compareText(a.record.id, b.record.id));
  const reported = records[0]!;
  const names = new Set(records.flatMap(({ record }) => [record.id, ...(record.aliases ?? [])]));
  names.delete(vulnerabilityId);
  const { severity, primaryCvss, cvss, vendorSeverity } = assessSeverity(records.flatMap(({ record, entries }) => entries.map(({ affected }) => ({ record, affected }))));
  const fixedInVersion = highestFix(records);
  const title = records.map(({ record }) => record.summary).find((summary) => summary !== undefined);
  const description = records.map(({ record }) => record.details ?? record.summary).find((text) => text !== undefined) ?? '';
  return {
    vulnerabilityId,
    relatedVulnerabilities: [...names].sort(compareText),
    recordIds: records.map(({ record }) => record.id),
    ecosystem: reported.ecosystem,
    packageName: subject.name,
    packageVersion: subject.installed.text,
    packages: subject.packages,
    ...(fixedInVersion !== undefined && { fixedInVersion }),
    severity,
    ...(primaryCvss && { primaryCvss }),
    cvss,
    ...(vendorSeverity !== undefined && { vendorSeverity }),
    ...(title !== undefined && { title }),
    description,
    uri: vulnerabilityUri(reported.ecosystem, vulnerabilityId),
    referenceUrls: [...new Set(records.flatMap(({ record }) => (record.references ?? []).map(({ url }) => url)))],
    ...(reported.record.published !== undefined && { publishedAt: reported.record.published }),
    modifiedAt: reported.record.modified,
  };
}
