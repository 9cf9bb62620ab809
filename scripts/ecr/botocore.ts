/** Reads the ECR service model that botocore (the AWS SDK for Python) ships. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

interface ShapeReference {
  shape: string;
}

/** The parts of botocore's service-2.json the generators read. */
export interface BotocoreShape {
  type: string;
  members?: Record<string, ShapeReference>;
  required?: string[];
  member?: ShapeReference;
  key?: ShapeReference;
  value?: ShapeReference;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  exception?: boolean;
  fault?: boolean;
  error?: { httpStatusCode?: number };
}

export interface BotocoreOperation {
  input?: ShapeReference;
  output?: ShapeReference;
  errors?: ShapeReference[];
  documentation?: string;
}

export interface BotocoreModel {
  metadata: { apiVersion: string; targetPrefix: string; jsonVersion: string; protocol: string };
  operations: Record<string, BotocoreOperation>;
  shapes: Record<string, BotocoreShape>;
}

const MODEL_PATH = ['data', 'ecr', '2015-09-21', 'service-2.json.gz'];

/** botocore's ECR model and version, or undefined when python3 cannot import botocore. */
export function loadBotocoreEcrModel(): { model: BotocoreModel; version: string } | undefined {
  let located: string;
  try {
    located = execFileSync('python3', ['-c', 'import botocore, os; print(botocore.__version__); print(os.path.dirname(botocore.__file__))'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
  const [version, directory] = located.trim().split('\n');
  if (!version || !directory) return undefined;
  const model = JSON.parse(gunzipSync(readFileSync(join(directory, ...MODEL_PATH))).toString('utf8')) as BotocoreModel;
  return { model, version };
}
