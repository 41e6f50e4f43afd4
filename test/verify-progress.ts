import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { freshDatabase } from './helpers/database.js';
import { generatedLegacyDatabase } from './helpers/generated.js';

// verify on a big table took minutes without a word; it reports as the run does.
t.test('verify reports its progress: rows through the rules, then the comparison', async (t) => {
  const source = await generatedLegacyDatabase(t, 20_000);
  const target = await freshDatabase(t);
  const env = { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target };
  t.equal((await runCli(['--table', 'mensajes', '--report-dir', mkdtempSync(path.join(tmpdir(), 'verif-'))], env)).code, 0);
  const r = await runCli(['verify', '--table', 'mensajes'], env);
  t.equal(r.code, 0, r.stdout + r.stderr);
  t.match(r.stderr, /^\d{4}-\d\d-\d\dT[\d:.]+Z verificando mensajes: 20\.000 filas del origen pasadas por las reglas, [\d.]+ MB$/m);
  t.match(r.stderr, /^\d{4}-\d\d-\d\dT[\d:.]+Z verificando mensajes: comparando 20\.000 filas con el destino$/m);
  t.match(r.stdout, /^OK {4}mensajes/m, 'el resultado sigue en stdout');
  const json = await runCli(['verify', '--table', 'mensajes', '--json'], env);
  const phases = json.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.event === 'verify_progress').map((e) => e.phase);
  t.ok(phases.includes('copy') && phases.at(-1) === 'compare', `fases: ${phases.join(', ')}`);
  t.equal(json.stderr, '', 'con --json nada en stderr');
});
