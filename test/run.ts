/**
 * `npm test`: the unit, contract and integration suites under node's test runner, with one
 * throwaway PostgreSQL cluster shared by every test file (started here, stopped when this exits)
 * instead of one per file.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresAdminUrl } from './support/postgres.js';

const here = dirname(fileURLToPath(import.meta.url));
const suites = process.argv.length > 2 ? process.argv.slice(2) : ['unit', 'contract', 'integration'].map((dir) => join(here, dir));

const url = await postgresAdminUrl();
const env = { ...process.env, ...(url && { BERTH_TEST_POSTGRES_URL: url }) };
const child = spawn(process.execPath, ['--test', ...suites], { stdio: 'inherit', env });
const code = await new Promise<number>((resolve) => child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))));
process.exitCode = code;
