import cvssCalculator from 'ae-cvss-calculator';
import type { OsvAffected, OsvRecord } from './osv/record.js';

/** ECR's finding severities. */
export const SEVERITIES = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'UNDEFINED'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

export interface CvssScore {
  version: CvssVersion;
  vector: string;
  baseScore: number;
  /** The id of the OSV record that gives the vector. */
  source: string;
}

/** What a vector scores, before knowing which record gave it. */
export type VectorScore = Pick<CvssScore, 'version' | 'baseScore'>;

export interface SeverityAssessment {
  severity: Severity;
  /** The CVSS score that set `severity`, when one did: the first v3.x, else v4.0, else v2.0. */
  primaryCvss?: CvssScore;
  /** Every CVSS vector found, in the order of the sources, each vector once. */
  cvss: CvssScore[];
  /** The source's own word: GitHub's severity, Ubuntu's priority or Debian's urgency, else the CVSS label. */
  vendorSeverity?: string;
}

/** Where a finding's severity may come from: a matched record and the affected entry that matched. */
export interface SeveritySource {
  record: OsvRecord;
  affected?: OsvAffected;
}

/** ECR's bands over a CVSS base score. */
export function severityForScore(score: number): Severity {
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score >= 0.1) return 'LOW';
  return 'INFORMATIONAL';
}

const CALCULATORS = {
  '2.0': cvssCalculator.Cvss2,
  '3.0': cvssCalculator.Cvss3P0,
  '3.1': cvssCalculator.Cvss3P1,
  '4.0': cvssCalculator.Cvss4P0,
} as const;
/** Vector -> base score (undefined for a vector the calculator rejects); vectors repeat across records. */
const baseScores = new Map<string, VectorScore | undefined>();

function cvssVersionOf(type: string, vector: string): CvssVersion | undefined {
  if (vector.startsWith('CVSS:3.1/')) return '3.1';
  if (vector.startsWith('CVSS:3.0/')) return '3.0';
  if (vector.startsWith('CVSS:4.0/')) return '4.0';
  return type === 'CVSS_V2' ? '2.0' : undefined;
}

function computeBaseScore(type: string, vector: string): VectorScore | undefined {
  const version = cvssVersionOf(type, vector);
  if (version === undefined) return undefined;
  try {
    const scores = new CALCULATORS[version](vector).calculateScores();
    // A v4.0 vector with threat metrics (E:) gets its CVSS-BT score as `base`; the base score is CVSS-B.
    const baseScore: unknown = 'baseMetricsOnly' in scores ? scores.baseMetricsOnly : scores.base;
    return typeof baseScore === 'number' && Number.isFinite(baseScore) ? { version, baseScore } : undefined;
  } catch {
    return undefined;
  }
}

/** The base score of an OSV severity entry (CVSS_V2, CVSS_V3 or CVSS_V4); undefined for other types and malformed vectors. */
export function cvssBaseScore(type: string, vector: string): VectorScore | undefined {
  const key = `${type} ${vector}`;
  if (!baseScores.has(key)) baseScores.set(key, computeBaseScore(type, vector));
  return baseScores.get(key);
}

const GITHUB_SEVERITIES = new Map<string, Severity>([['LOW', 'LOW'], ['MODERATE', 'MEDIUM'], ['HIGH', 'HIGH'], ['CRITICAL', 'CRITICAL']]);
const UBUNTU_PRIORITIES = new Map<string, Severity>([['negligible', 'INFORMATIONAL'], ['low', 'LOW'], ['medium', 'MEDIUM'], ['high', 'HIGH'], ['critical', 'CRITICAL']]);
/** Debian's urgencies; "not yet assigned" and "end-of-life" (no longer supported in that release) say nothing of severity. */
const DEBIAN_URGENCIES = new Map<string, Severity>([
  ['unimportant', 'INFORMATIONAL'],
  ['low', 'LOW'],
  ['medium', 'MEDIUM'],
  ['high', 'HIGH'],
  ['not yet assigned', 'UNDEFINED'],
  ['end-of-life', 'UNDEFINED'],
]);

interface VendorLabel {
  label: string;
  severity: Severity;
}

function vendorLabel(label: unknown, scale: Map<string, Severity>): VendorLabel | undefined {
  if (typeof label !== 'string') return undefined;
  const severity = scale.get(label);
  return severity && { label, severity };
}

/** A source's severity entries: the affected entry's (OSV puts them there when packages differ), then the record's. */
const severityEntries = ({ record, affected }: SeveritySource) => [...(affected?.severity ?? []), ...(record.severity ?? [])];

/** The first of GitHub's severity, Ubuntu's priority and Debian's urgency that any source gives. */
function firstVendorLabel(sources: readonly SeveritySource[]): VendorLabel | undefined {
  const finders: ((source: SeveritySource) => VendorLabel | undefined)[] = [
    ({ record }) => vendorLabel(record.database_specific?.['severity'], GITHUB_SEVERITIES),
    (source) =>
      severityEntries(source)
        .filter((entry) => entry.type === 'Ubuntu')
        .map((entry) => vendorLabel(entry.score, UBUNTU_PRIORITIES))
        .find((found) => found !== undefined),
    ({ affected }) => vendorLabel(affected?.ecosystem_specific?.['urgency'], DEBIAN_URGENCIES),
  ];
  for (const find of finders) {
    for (const source of sources) {
      const found = find(source);
      if (found) return found;
    }
  }
  return undefined;
}

function cvssScores(sources: readonly SeveritySource[]): CvssScore[] {
  const scores: CvssScore[] = [];
  const seen = new Set<string>();
  for (const source of sources) {
    for (const { type, score: vector } of severityEntries(source)) {
      const scored = cvssBaseScore(type, vector);
      if (scored === undefined || seen.has(vector)) continue;
      seen.add(vector);
      scores.push({ ...scored, vector, source: source.record.id });
    }
  }
  return scores;
}

/**
 * The severity of a finding from its sources, the reported record first: CVSS vectors (base score
 * computed; v3.x preferred, then v4.0, then v2.0), else GitHub's severity, else Ubuntu's priority,
 * else Debian's urgency, else UNDEFINED.
 */
export function assessSeverity(sources: readonly SeveritySource[]): SeverityAssessment {
  const cvss = cvssScores(sources);
  const primaryCvss =
    cvss.find((score) => score.version.startsWith('3')) ?? cvss.find((score) => score.version === '4.0') ?? cvss.find((score) => score.version === '2.0');
  const vendor = firstVendorLabel(sources);
  if (primaryCvss) {
    const severity = severityForScore(primaryCvss.baseScore);
    return { severity, primaryCvss, cvss, vendorSeverity: vendor?.label ?? severity };
  }
  return { severity: vendor?.severity ?? 'UNDEFINED', cvss, ...(vendor && { vendorSeverity: vendor.label }) };
}
