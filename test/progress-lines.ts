import { Writable } from 'node:stream';
import t from 'tap';
import { EventPrinter } from '../lib/cli/render/event-printer.js';

function sink(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _e, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { text: () => string };
  w.text = () => chunks.join('');
  return w;
}

t.test('without a terminal, each progress event is one plain timestamped line', async (t) => {
  const out = sink();
  const err = sink();
  const printer = new EventPrinter('lines', out, err);
  printer.handle({ type: 'table_start', table: 'mensajes', estimatedRows: 1000 });
  printer.handle({ type: 'table_progress', table: 'mensajes', read: 500, written: 480, rejected: 20, adjusted: 0, bytes: 2 * 1024 * 1024 });
  const lines = err.text().trim().split('\n');
  t.equal(lines.length, 2);
  t.match(lines[0], /^\d{4}-\d\d-\d\dT[\d:.]+Z mensajes: empezando \(~1\.000 filas según el catálogo\)$/);
  t.match(lines[1], /^\d{4}-\d\d-\d\dT[\d:.]+Z mensajes: 500\/1\.000 filas \(50 %\), 2\.0 MB, [\d.]+ filas\/s, (quedan ~\d+ s, )?20 rechazadas$/);
  t.notMatch(err.text(), /\x1b\[/, 'sin secuencias de terminal');
  t.equal(out.text(), '', 'stdout queda para el resumen');
});

t.test('--json: one parseable object per event, keys in English', async (t) => {
  const out = sink();
  const printer = new EventPrinter('json', out, sink());
  printer.handle({ type: 'table_start', table: 'sesiones', estimatedRows: 6 });
  printer.handle({ type: 'table_retry', table: 'sesiones', attempt: 1, waitMs: 1000, message: 'Connection terminated unexpectedly' });
  const events = out.text().trim().split('\n').map((l) => JSON.parse(l));
  t.match(events[0], { event: 'table_start', table: 'sesiones', estimatedRows: 6 });
  t.match(events[1], { event: 'table_retry', attempt: 1, waitMs: 1000 });
  t.ok(events.every((e) => typeof e.time === 'string'));
});

t.test('on a terminal, running tables are redrawn in place', async (t) => {
  const err = sink();
  const printer = new EventPrinter('tty', sink(), err);
  printer.handle({ type: 'table_start', table: 'a', estimatedRows: 0 });
  printer.handle({ type: 'table_start', table: 'b', estimatedRows: 0 });
  printer.handle({ type: 'table_progress', table: 'a', read: 10, written: 10, rejected: 0, adjusted: 0, bytes: 0 });
  t.match(err.text(), /\x1b\[2A\x1b\[0J/, 'sube dos líneas y las redibuja');
  t.match(err.text(), /a: 10 filas, 0\.0 MB/);
});
