import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { readSpool, SpoolWriter } from '../lib/rejects/spool.js';

const records = [
  { reason: 'telefono_invalido', detail: 'telefono: "no sé" 🇪🇨', row: Buffer.from('a\\tb\t\\N\tñ') },
  { reason: 'duplicado', detail: '', row: Buffer.alloc(0) },
  // Larger than a spool block: written on its own.
  { reason: 'demasiado_largo', detail: 'contenido: 300000 caracteres', row: Buffer.alloc(300_000, 0x78) },
  { reason: 'valor_invalido', detail: 'x', row: Buffer.from('último') },
];

async function collect(source: AsyncIterable<{ reason: string; detail: string; row: Buffer }>): Promise<{ reason: string; detail: string; row: string }[]> {
  const out = [];
  // The row is a view valid until the next record: copy it out at once.
  for await (const r of source) out.push({ reason: r.reason, detail: r.detail, row: r.row.toString('latin1') });
  return out;
}

const expected = records.map((r) => ({ reason: r.reason, detail: r.detail, row: r.row.toString('latin1') }));

async function written(): Promise<string> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'spool-')), 'rechazos.crudo');
  const spool = new SpoolWriter(file);
  for (const r of records) spool.write(r.reason, r.detail, r.row);
  await spool.close();
  return file;
}

t.test('what is spooled reads back the same, the big record included', async (t) => {
  t.same(await collect(readSpool(await written())), expected);
});

t.test('records are found wherever a read cuts them', async (t) => {
  const file = await written();
  // Reads of 12 to 200 bytes cut the small records at every byte, the big one grows the buffer.
  for (let size = 12; size <= 200; size++) {
    const got = await collect(readSpool(file, size));
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      t.fail(`distinto con lecturas de ${size} bytes`);
      return;
    }
  }
  t.pass('igual con lecturas de 12 a 200 bytes');
});

t.test('a spool cut short fails instead of losing its last row', async (t) => {
  const file = await written();
  const bytes = readFileSync(file);
  writeFileSync(file, bytes.subarray(0, bytes.length - 3));
  await t.rejects(collect(readSpool(file)), { code: 'RECHAZOS_ILEGIBLES', message: /termina a mitad de un registro/ });
});
