import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { cliNodeArgs } from '../dev/paths.js';
import { PROJECT_ROOT } from './helpers/database.js';

const bin = path.join(PROJECT_ROOT, 'dist/bin/copiar-tablas.js');
const shebang = readFileSync(bin, 'utf8').split('\n', 1)[0]!;
// What the kernel runs: the interpreter with the rest of the line as one argument.
const [interpreter, rest] = [shebang.slice(2).split(' ', 1)[0]!, shebang.slice(2).split(' ').slice(1).join(' ')];

t.test('the installed CLI starts through its shebang, Node flags included', async (t) => {
  t.match(shebang, /^#!\/usr\/bin\/env -S node --max-semi-space-size=\d+ --expose-gc$/);
  const run = spawnSync(interpreter, [rest, bin, '--help'], { encoding: 'utf8' });
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, /copiar-tablas/);
});

t.test('the installed CLI can collect dead buffers: Node runs it with gc exposed', async (t) => {
  const probe = spawnSync(interpreter, [rest, '--input-type=module', '-e', 'process.stdout.write(typeof globalThis.gc)'], { encoding: 'utf8' });
  t.equal(probe.stdout, 'function', probe.stderr);
});

t.test('tests and benchmarks run the CLI with the shebang flags', async (t) => {
  t.same(cliNodeArgs(), [...shebang.replace(/^.* node /, '').split(' '), bin]);
});
