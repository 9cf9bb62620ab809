import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_ARCHIVE_PREFIX } from '../domain/content/layout.js';
import { ECR_STORAGE_PRICE_PER_GB_MONTH } from '../domain/registry/storage-usage.js';

const booleanText = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v))]);

/** The one configuration schema. Sources, lowest precedence first: config file, BERTH_* environment, flags. */
export const ConfigSchema = z
  .object({
    host: z.string().min(1).default('0.0.0.0'),
    port: z.coerce.number().int().min(0).max(65535).default(5000),
    dataDir: z.string().min(1).default('./data'),
    createOnPush: booleanText.default(false),
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL; leave it unset for the embedded SQLite database')
      .optional(),
    /** Seconds an upload session may receive nothing before it is removed with its bytes; 0 keeps them forever. */
    uploadIdleTimeout: z.coerce.number().int().min(0).default(86_400),
    /**
     * Seconds garbage collection waits after a link, delete or commit before it may free what that
     * left unreferenced: longer than any push takes from its first layer to its manifest.
     */
    gcGracePeriod: z.coerce.number().int().min(0).default(86_400),
    /** Seconds between garbage collection passes in the server; 0 runs them only on `berth gc`. */
    gcInterval: z.coerce.number().int().min(0).default(600),
    /** Seconds between runs of every repository's lifecycle policy (ECR acts within 24 hours); 0 runs them only on `berth lifecycle run`. */
    lifecycleInterval: z.coerce.number().int().min(0).default(3600),
    /** USD per GB-month (10^9 bytes) for `berth storage`'s cost estimate; ECR's standard storage price by default. */
    storagePricePerGbMonth: z.coerce.number().min(0).default(ECR_STORAGE_PRICE_PER_GB_MONTH),
    /** Seconds between samples of storage accounting in the server, for charts over time; 0 samples only on `berth storage --record`. */
    storageSampleInterval: z.coerce.number().int().min(0).default(3600),
    /**
     * Where the bytes of archived images go in the object store (ECR's archive storage class): a
     * relative key prefix ending in '/', beside the blobs/ and uploads/ the registry keeps there.
     */
    archivePrefix: z
      .string()
      .regex(/^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)+$/, "must be a relative path of one or more names, each followed by '/', such as archive/")
      .refine((prefix) => !/^(blobs|uploads)\//.test(prefix), 'must not be inside blobs/ or uploads/, where the registry keeps its other bytes')
      .default(DEFAULT_ARCHIVE_PREFIX),
    /**
     * OSV sources `berth serve` keeps the vulnerability database up to date from: http(s) URLs of
     * zip archives (as osv.dev publishes `<ecosystem>/all.zip`) or paths. A list in the config file;
     * comma-separated in BERTH_VULNDB_SOURCES.
     */
    vulndbSources: z
      .union([z.array(z.string().min(1)), z.string().transform((text) => text.split(',').map((item) => item.trim()).filter((item) => item !== ''))])
      .default([]),
    /** Seconds between imports of each of vulndbSources; 0 imports them only on `berth vulndb import`. */
    vulndbUpdateInterval: z.coerce.number().int().min(0).default(86_400),
    /** Seconds between looks for requested image scans (and for images to re-match after a database update); 0: this node does not scan. */
    scanInterval: z.coerce.number().min(0).default(1),
    /** Seconds in-flight requests get to finish on SIGTERM before their connections are cut. */
    shutdownTimeout: z.coerce.number().min(0).max(3600).default(25),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /**
     * Off: every request is served as the administrator, without credentials. Only for benchmarks and
     * throwaway local registries; the server warns at start.
     */
    auth: booleanText.default(true),
    /** The registry's AWS account: ECR's registryId, in every ARN and repositoryUri. */
    accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').default('000000000000'),
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region name such as us-east-1').default('us-east-1'),
    /** host[:port] clients use to reach the registry, for repositoryUri and proxyEndpoint; default: the request's Host. */
    publicHost: z.string().min(1).optional(),
    /** Seconds a console sign-in lasts (absolute, not renewed by use); temporary credentials' sessions end with them if sooner. */
    consoleSessionTtl: z.coerce.number().int().min(1).max(30 * 86_400).default(43_200),
    /** The administrator's access key, created on first start; generated when unset. */
    adminAccessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/, 'must be 16-128 upper-case letters and digits, like AKIA…').optional(),
    adminSecretAccessKey: z.string().min(16).max(128).optional(),
  })
  .strict()
  .refine((c) => (c.tlsCert === undefined) === (c.tlsKey === undefined), {
    message: 'tlsCert and tlsKey go together: set both to serve HTTPS, or neither',
    path: ['tlsCert'],
  })
  .refine((c) => (c.adminAccessKeyId === undefined) === (c.adminSecretAccessKey === undefined), {
    message: 'adminAccessKeyId and adminSecretAccessKey go together: set both, or neither to have them generated',
    path: ['adminAccessKeyId'],
  });

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigKey = keyof Config;

const KEYS = Object.keys(ConfigSchema.shape) as ConfigKey[];

/** dataDir -> BERTH_DATA_DIR */
export function envNameOf(key: ConfigKey): string {
  return `BERTH_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface ConfigSources {
  /** Path of a JSON config file (also BERTH_CONFIG). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  flags?: Partial<Record<ConfigKey, unknown>>;
}

/** Merges the sources and validates once, with messages that say which setting is wrong and where it came from. */
export function loadConfig({ file, env = process.env, flags = {} }: ConfigSources): Config {
  const merged: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  const path = file ?? env.BERTH_CONFIG;
  if (path) {
    for (const [key, value] of Object.entries(readConfigFile(path))) {
      merged[key] = value;
      origin[key] = `config file ${path}`;
    }
  }
  for (const key of KEYS) {
    const value = env[envNameOf(key)];
    if (value !== undefined && value !== '') {
      merged[key] = value;
      origin[key] = `environment variable ${envNameOf(key)}`;
    }
  }
  for (const [key, value] of Object.entries(flags)) {
    if (value !== undefined) {
      merged[key] = value;
      origin[key] = `flag --${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    }
  }
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const where = origin[key] ? ` (from ${origin[key]})` : '';
      return `  - ${key || 'config'}: ${issue.message}${where}`;
    });
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  return result.data;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('expected a JSON object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
}
