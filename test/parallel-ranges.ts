import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { freshDatabase, withClient } from './helpers/database.js';
import { tableText } from './helpers/fixture.js';
import { generatedLegacyDatabase } from './helpers/generated.js';

// The range size under its two older names, --chunk-rows and --split-rows: both still work.
t.test('ranges of one table copied side by side (--jobs 2) give exactly the sequential result', async (t) => {
  const source = await generatedLegacyDatabase(t, 20_000);
  const results: { text: string; rejects: string; summary: Record<string, number> }[] = [];
  for (const [jobs, flag] of [['1', '--chunk-rows'], ['2', '--split-rows']] as const) {
    const target = await freshDatabase(t);
    const dir = mkdtempSync(path.join(tmpdir(), `rangos-${jobs}-`));
    const r = await runCli(['--table', 'mensajes', flag, '2000', '--jobs', jobs, '--report-dir', dir], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
    t.equal(r.code, 0, r.stderr);
    const ranges = await withClient(target, async (c) => (await c.query("SELECT count(*)::int AS n FROM copiar_tablas.tramos WHERE tabla = 'mensajes'")).rows[0].n);
    t.ok(ranges > 5, `${ranges} tramos`);
    results.push({
      text: await tableText(target, 'mensajes'),
      rejects: readFileSync(path.join(dir, 'rejects', 'mensajes.csv'), 'utf8'),
      summary: JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')).tables.mensajes,
    });
  }
  t.equal(results[1]!.text, results[0]!.text, 'mismas filas');
  t.equal(results[1]!.rejects, results[0]!.rejects, 'mismo archivo de rechazos, en el mismo orden');
  for (const key of ['read', 'written', 'rejected', 'adjusted']) t.equal(results[1]!.summary[key], results[0]!.summary[key], key);
});
