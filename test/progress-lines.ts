import { Writable } from 'node:stream';
import t from 'tap';
import { EventPrinter } from '../lib/cli/render/event-printer.js';
import { formatDuration } from '../lib/cli/render/progress-text.js';

function sink(columns?: number): Writable & { text: () => string; columns?: number } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _e, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { text: () => string; columns?: number };
  w.text = () => chunks.join('');
  if (columns !== undefined) w.columns = columns;
  return w;
}

const counts = (read: number) => ({ read, written: read - 20, rejected: 20, adjusted: 0, bytes: 2 * 1024 * 1024 });
const BASES = { source: 'postgres://lector@viejo/app', target: 'postgres://admin@nuevo/app', sameDatabase: false };
const STAMP = /^\d{4}-\d\d-\d\dT[\d:.]+Z /;

t.test('without a terminal, every line of the log carries a timestamp, and a table speaks every few seconds', async (t) => {
  const out = sink();
  const err = sink();
  let now = Date.parse('2026-11-30T03:00:00Z');
  const printer = new EventPrinter('lines', out, err, { now: () => now, logGapMs: 5000 });
  printer.handle({ type: 'run_start', tables: ['mensajes'], reportDir: '/informes/x', estimatedRows: { mensajes: 7000 }, ...BASES });
  printer.handle({ type: 'table_start', table: 'mensajes', estimatedRows: 7000 });
  now += 1000;
  printer.handle({ type: 'table_progress', table: 'mensajes', phase: 'copy', ...counts(500), ranges: { done: 0, total: 7 } });
  now += 5000;
  printer.handle({ type: 'table_progress', table: 'mensajes', phase: 'copy', ...counts(3500), ranges: { done: 3, total: 7 } });
  now += 5000;
  printer.handle({ type: 'table_progress', table: 'mensajes', phase: 'indexes', ...counts(7000), step: { done: 2, total: 6 } });
  const lines = err.text().trim().split('\n');
  t.ok(lines.every((line) => STAMP.test(line)), `todas con hora: ${err.text()}`);
  t.match(lines[0], /Origen: postgres:\/\/lector@viejo\/app$/);
  t.match(lines[2], /Migrando mensajes$/);
  t.match(lines[3], /mensajes: empezando \(~7\.000 filas según el catálogo\)$/);
  t.equal(lines.length, 6, 'el progreso de un segundo después del comienzo no se escribe');
  t.match(lines[4], /mensajes: tramo 4\/7, 3\.500\/7\.000 filas \(50 %\), 2\.0 MB, 583 filas\/s, quedan ~6 s, 20 rechazadas$/, '3.500 filas en 6 s: 583 filas/s, 6 s para las 3.500 que faltan');
  t.match(lines[5], /mensajes: claves e índices 3\/6 \(copia terminada: 6\.980 escritas, 20 rechazadas\)$/);
  t.notMatch(err.text(), /\x1b\[/, 'sin secuencias de terminal');
  t.equal(out.text(), '', 'stdout queda para el resumen');
});

t.test('time left reads in s, min, and h with min', async (t) => {
  t.equal(formatDuration(12.2), '13 s');
  t.equal(formatDuration(600), '10 min');
  t.equal(formatDuration(7500), '2 h 05 min');
});

t.test('on a terminal, running tables and the run line are redrawn in place, cut to its width', async (t) => {
  const err = sink(60);
  const printer = new EventPrinter('tty', sink(), err);
  printer.handle({ type: 'run_start', tables: ['a', 'b'], reportDir: '/x', estimatedRows: { a: 100, b: 100 }, ...BASES });
  printer.handle({ type: 'table_start', table: 'a', estimatedRows: 100 });
  printer.handle({ type: 'table_start', table: 'b', estimatedRows: 100 });
  printer.handle({ type: 'table_progress', table: 'a', phase: 'copy', ...counts(50) });
  printer.handle({ type: 'table_progress', table: 'b', phase: 'copy', ...counts(30) });
  t.match(err.text(), /\x1b\[3A\x1b\[0J/, 'sube tres líneas (dos tablas y el total) y las redibuja');
  t.match(err.text(), /total: 0\/2 tablas, 80\/200 filas/);
  const drawn = err.text().replace(/\x1b\[\d+A\x1b\[0J/g, '').split('\n');
  t.ok(drawn.every((line) => line.length <= 59), 'ninguna línea llega al borde de 60 columnas');
});

t.test('a large table copied whole, one range, says no "tramo 1/1"', async (t) => {
  const err = sink();
  let now = Date.parse('2026-11-30T03:00:00Z');
  const printer = new EventPrinter('lines', sink(), err, { now: () => now, logGapMs: 5000 });
  printer.handle({ type: 'table_start', table: 'mensajes', estimatedRows: 7000 });
  now += 6000;
  printer.handle({ type: 'table_progress', table: 'mensajes', phase: 'copy', ...counts(3500), ranges: { done: 0, total: 1 } });
  t.match(err.text(), /mensajes: 3\.500\/7\.000 filas \(50 %\), 2\.0 MB, 583 filas\/s/);
  t.notMatch(err.text(), /tramo/);
});
