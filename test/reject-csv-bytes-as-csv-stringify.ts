// The bulk copy's reject CSV is written from bytes (lib/rejects/csv-bytes.ts); the
// follow mode's, from strings by csv-stringify. One file holds both, so the two must
// write the same text for every value: here the byte writer is held to csv-stringify.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { encodeRow } from '../lib/pg/copy-text.js';
import { rejectCsvText, rejectDecoder, writeRejectCsv, type RejectRecord } from '../lib/rejects/reject-csv.js';
import { SpoolWriter } from '../lib/rejects/spool.js';
import { sourceFields } from '../lib/table-spec/field-order.js';
import { mensajes } from '../transforms/mensajes.js';
import { seededRandom } from './helpers/seeded-random.js';

const FIELDS = sourceFields(mensajes);

interface Rejected {
  reason: string;
  detail: string;
  row: Buffer;
}

/** The file writeRejectCsv makes of these rows, and csv-stringify's text of the same rows decoded. */
async function bothWays(rows: Rejected[]): Promise<{ written: string; expected: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rechazos-csv-'));
  const spool = new SpoolWriter(path.join(dir, 'spool'));
  for (const r of rows) spool.write(r.reason, r.detail, r.row);
  await spool.close();
  const csv = path.join(dir, 'mensajes.csv');
  await writeRejectCsv(csv, mensajes, [path.join(dir, 'spool')]);
  const decode = rejectDecoder(mensajes);
  const records: RejectRecord[] = rows.map((r) => decode(r.reason, r.detail, r.row));
  return { written: readFileSync(csv, 'utf8'), expected: rejectCsvText(mensajes, records, true) };
}

function rowOf(values: (string | null)[]): Buffer {
  return Buffer.from(encodeRow(FIELDS.map((_, i) => values[i % values.length] ?? null)).replace(/\n$/, ''));
}

const HOSTILE = ['', 'plain', 'a,b', 'say "hi"', '"', '""', 'line\nbreak', 'carriage\rreturn', 'crlf\r\n', 'tab\there', 'back\\slash', '\\N', 'ñandú 🇪🇨', '=SUM(A1)', ' spaced ', ',', '\n', '\r', '\b\f\v', 'trailing\\'];

t.test('every hostile value, in every field, as csv-stringify writes it', async (t) => {
  const rows: Rejected[] = [];
  for (const [i, value] of HOSTILE.entries()) {
    rows.push({ reason: 'valor_invalido', detail: value, row: rowOf([value, null, '', value]) });
    rows.push({ reason: value === '' ? 'x' : value, detail: `detalle ${i}`, row: rowOf(HOSTILE.slice(i).concat(HOSTILE.slice(0, i))) });
  }
  const { written, expected } = await bothWays(rows);
  t.equal(written, expected);
  t.ok(written.includes('"carriage\rreturn"'), 'a lone CR is quoted');
  t.ok(written.includes('"say ""hi"""'), 'quotes are doubled inside quotes');
});

t.test('random values from a hostile alphabet, 2000 rows', async (t) => {
  const alphabet = [',', '"', '\n', '\r', '\t', '\\', 'ñ', '😀', 'a', ' ', '=', '\b', 'N'];
  const next = seededRandom(7);
  const value = (): string | null => {
    if (next(8) === 0) return null;
    let s = '';
    for (let n = next(12); n > 0; n--) s += alphabet[next(alphabet.length)];
    return s;
  };
  const rows: Rejected[] = Array.from({ length: 2000 }, () => ({ reason: 'motivo', detail: value() ?? '', row: rowOf(FIELDS.map(() => value())) }));
  const { written, expected } = await bothWays(rows);
  t.equal(written, expected);
});

t.test('bytes that are not UTF-8 come out as csv-stringify writes their decoded text (U+FFFD)', async (t) => {
  const valid = rowOf(['ok']);
  const invalid = Buffer.concat([Buffer.from('\\377\\376,x'), valid.subarray(valid.indexOf(0x09))]);
  const { written, expected } = await bothWays([
    { reason: 'a', detail: 'b', row: valid },
    { reason: 'a', detail: 'b', row: invalid },
    { reason: 'a', detail: 'b', row: valid },
  ]);
  t.equal(written, expected);
  t.ok(written.includes('"\uFFFD\uFFFD,x"'));
});

t.test('a record larger than the write buffer, between small ones', async (t) => {
  const big = 'x,"y"\n'.repeat(300_000);
  const { written, expected } = await bothWays([
    { reason: 'a', detail: 'b', row: rowOf(['small']) },
    { reason: 'a', detail: big, row: rowOf([big, null]) },
    { reason: 'a', detail: 'b', row: rowOf(['small again']) },
  ]);
  t.equal(written.length, expected.length);
  t.ok(written === expected, 'same text');
});

t.test('no rejects: the header alone', async (t) => {
  const { written, expected } = await bothWays([]);
  t.equal(written, expected);
  t.match(written, /^motivo,detalle,id_origen,.*\n$/);
});

t.test('fields copied as they are (no escape, quote, comma or line break), of every length around the native copy and beside careful ones', async (t) => {
  const plain = (n: number): string => 'añ0-'.repeat(n).slice(0, n);
  const rows: Rejected[] = [];
  for (let n = 0; n <= 70; n++) {
    rows.push({ reason: 'motivo', detail: plain(n), row: rowOf([plain(n), plain(70 - n)]) });
    rows.push({ reason: 'motivo', detail: 'd', row: rowOf([plain(n), `${plain(n)},`, null, plain(n), `${plain(n)}\t"`]) });
  }
  const { written, expected } = await bothWays(rows);
  t.equal(written, expected);
  t.ok(written.includes(`,${plain(70)},`), 'a long plain field is written as its bytes, unquoted');
});
