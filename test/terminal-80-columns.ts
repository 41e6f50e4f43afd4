import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { cliNodeArgs } from '../dev/paths.js';
import { freshDatabase } from './helpers/database.js';
import { generatedLegacyDatabase } from './helpers/generated.js';
import { inTerminal, tmuxMissing } from './helpers/terminal.js';

const shellWord = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

// An operator's 80×24 terminal: live lines are redrawn in place without leaving wrapped
// fragments behind, and the closing table fits.
t.test('in an 80-column terminal the live lines leave nothing behind and the closing table fits', { skip: tmuxMissing ?? false }, async (t) => {
  const source = await generatedLegacyDatabase(t, 40_000);
  const target = await freshDatabase(t);
  const report = mkdtempSync(path.join(tmpdir(), 'terminal-'));
  const command = [
    `SOURCE_DATABASE_URL=${shellWord(source)}`,
    `TARGET_DATABASE_URL=${shellWord(target)}`,
    shellWord(process.execPath),
    ...cliNodeArgs().map(shellWord),
    '--range-rows',
    '10000',
    '--report-dir',
    shellWord(report),
  ].join(' ');
  const screen = await inTerminal(t, command);
  const seen = screen.join('\n');
  t.match(seen, /^mensajes: 36\.809 escritas, 3\.191 rechazadas en [\d.]+ s$/m, 'la línea que queda de cada tabla');
  t.notMatch(seen, /filas\/s|quedan ~|claves e índices|empezando|^total: /m, 'ningún resto de las líneas en vivo');
  const table = screen.slice(screen.findIndex((line) => line.startsWith('tabla ')));
  t.ok(table.length > 10, 'la tabla final está en pantalla');
  const wide = table.filter((line) => line.length > 80);
  t.same(wide, [], 'ninguna línea de la tabla final pasa de 80 columnas');
});
