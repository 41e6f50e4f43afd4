import { spawn } from 'node:child_process';
import { cliNodeArgs } from '../../dev/paths.js';
import { PROJECT_ROOT } from './database.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where the CLI runs: the project folder unless a test plays an operator elsewhere (cron, another shell). */
export interface CliPlace {
  cwd?: string;
}

/** Starts the built CLI (dist/bin) as an operator would, with its own environment, without waiting. */
export function startCli(args: string[], env: Record<string, string | undefined> = {}, place: CliPlace = {}): { child: ReturnType<typeof spawn>; done: Promise<CliResult> } {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, DATABASE_URL: undefined, SOURCE_DATABASE_URL: undefined, TARGET_DATABASE_URL: undefined, ...env })) {
    if (v !== undefined) childEnv[k] = v;
  }
  const child = spawn(process.execPath, [...cliNodeArgs(), ...args], { env: childEnv, cwd: place.cwd ?? PROJECT_ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done };
}

/** Runs the built CLI to the end. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, place: CliPlace = {}): Promise<CliResult> {
  return startCli(args, env, place).done;
}
