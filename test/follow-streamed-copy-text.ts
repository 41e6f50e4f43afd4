import t from 'tap';
import { streamedCopyText, type StreamedRow } from '../lib/follow/streamed-rows.js';

// The rows the stream brought become COPY text in chunks of a fixed size: each row whole,
// its prepared value (a user's phone) at its place, across every chunk boundary.
t.test('streamed rows become their COPY text across chunks, each prepared value at its place', async (t) => {
  const rows: StreamedRow[] = [];
  const expected: string[] = [];
  const values = new Map<string, string | null>([
    ['u1', '+593991234567'],
    ['u2', null],
    ['u3', 'ñandú\tcon tab'],
  ]);
  for (let i = 0; i < 3000; i++) {
    const head = `${i}\tmensaje ${'é'.repeat(i % 50)}\t`;
    const tail = `\t${'x'.repeat((i * 37) % 400)}\n`;
    const key = i % 4 === 3 ? null : `u${(i % 4) + 1}`;
    if (i % 5 === 0) {
      rows.push({ line: Buffer.from(head.slice(0, -1) + '\n'), split: -1, key: null });
      expected.push(head.slice(0, -1) + '\n');
      continue;
    }
    rows.push({ line: Buffer.from(head + tail), split: Buffer.byteLength(head), key });
    const value = key === null ? null : (values.get(key) ?? null);
    expected.push(head + (value === null ? '\\N' : value.replace('\t', '\\t')) + tail);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of streamedCopyText(rows, values)) chunks.push(chunk as Buffer);
  t.ok(chunks.length > 5, `en varios trozos (${chunks.length})`);
  t.equal(Buffer.concat(chunks).toString(), expected.join(''), 'cada fila entera, con su valor en su sitio');
  t.ok(chunks.every((chunk) => chunk.at(-1) === 0x0a), 'ningún trozo parte una fila');
});
