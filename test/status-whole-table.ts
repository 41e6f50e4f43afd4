// A large table copied whole (no time limit) is one range in the state: `status` shows
// its rows, not "tramos 0/1"; a table in ranges still shows how many are committed.
import t from 'tap';
import { renderStatus } from '../lib/cli/render/status.js';
import type { TableStatus } from '../lib/ops/status.js';

const table = (name: string, ranges: number, rangesDone: number): TableStatus => ({ table: name, phase: 'copying', written: 0, rejected: 0, ranges_done: rangesDone, ranges, rows_in_flight: 1500, seconds_left: null });

t.test('status names ranges only for a table that has several', async (t) => {
  const text = renderStatus({ run_id: 7, state: 'en_curso', started_at: '2026-12-02 03:00', ended_at: null, report_dir: '/informes/x', pid: 42, tables: [table('mensajes', 1, 0), table('sesiones', 3, 1)] });
  t.match(text, /^ {2}mensajes +copiando: 0 escritas, 0 rechazadas, 1\.500 filas en curso$/m);
  t.match(text, /^ {2}sesiones +copiando: tramos 1\/3, 0 escritas, 0 rechazadas, 1\.500 filas en curso$/m);
});
