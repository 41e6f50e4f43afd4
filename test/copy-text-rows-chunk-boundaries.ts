import t from 'tap';
import { encodeRow } from '../lib/pg/copy-text.js';
import { CopyTextRows } from '../lib/pg/copy-text-rows.js';

// Rows with every kind of field COPY text escapes: tabs, newlines and backslashes inside a
// value, NULL, the empty string, multi-byte UTF-8 (cut between its bytes by some splits).
const ROWS: (string | null)[][] = [
  ['00000000-0000-4000-8000-000000000001', '+593 99 123 4567'],
  ['00000000-0000-4000-8000-000000000002', null],
  ['00000000-0000-4000-8000-000000000003', ''],
  ['00000000-0000-4000-8000-000000000004', 'tab\taquí\nnueva línea \\ barra'],
  ['00000000-0000-4000-8000-000000000005', 'ñandú 🇪🇨', '\\N literal'],
  [null],
];
const TEXT = Buffer.from(ROWS.map(encodeRow).join(''));

function read(pieces: Buffer[]): (string | null)[][] {
  const rows: (string | null)[][] = [];
  const splitter = new CopyTextRows((fields) => rows.push(fields));
  for (const piece of pieces) splitter.write(piece);
  splitter.end();
  return rows;
}

t.test('the rows are the same wherever the COPY text is cut in two', async (t) => {
  for (let cut = 0; cut <= TEXT.length; cut++) {
    t.same(read([TEXT.subarray(0, cut), TEXT.subarray(cut)]), ROWS, `cortado en el byte ${cut}`);
  }
});

t.test('the rows are the same when every byte arrives alone', async (t) => {
  t.same(read([...TEXT].map((byte) => Buffer.from([byte]))), ROWS);
});

t.test('a chunk the splitter kept a piece of may be rewritten afterwards', async (t) => {
  // CopyOutStream hands over views of socket chunks; the unfinished row must be a copy.
  const rows: (string | null)[][] = [];
  const splitter = new CopyTextRows((fields) => rows.push(fields));
  const first = Buffer.from('a\tuno\nb\tdo');
  splitter.write(first);
  first.fill(0x78);
  splitter.write(Buffer.from('s\n'));
  splitter.end();
  t.same(rows, [['a', 'uno'], ['b', 'dos']]);
});

t.test('text that ends inside a row is an error, not a lost row', async (t) => {
  const splitter = new CopyTextRows(() => undefined);
  splitter.write(Buffer.from('a\tuno\nb\tdos'));
  t.throws(() => splitter.end(), /a mitad de una fila \(5 bytes/);
});
