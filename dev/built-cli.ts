import { spawn, type ChildProcess } from 'node:child_process';
import { cliNodeArgs } from './paths.js';

export interface BuiltCli {
  child: ChildProcess;
  /** The exit code (null when killed by a signal). */
  done: Promise<number | null>;
  /** stdout and stderr as they came, merged: all of it, or the last `keepLast` characters. */
  output: () => string;
}

/**
 * Starts the built CLI (dist/bin, with its shebang's Node flags) for a benchmark or a long
 * run, without waiting. `keepLast`: a run of minutes keeps only its tail.
 */
export function startBuiltCli(args: string[], options: { keepLast?: number } = {}): BuiltCli {
  const child = spawn(process.execPath, [...cliNodeArgs(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (data: Buffer): void => {
    output += data.toString();
    if (options.keepLast !== undefined && output.length > options.keepLast) output = output.slice(-options.keepLast);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, done: new Promise((resolve) => child.on('close', resolve)), output: () => output };
}
