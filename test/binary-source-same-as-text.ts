import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { to as copyTo } from 'pg-copy-streams';
import t from 'tap';
import { binaryColumns } from '../lib/engine/binary-row-writer.js';
import { binarySourceTypes } from '../lib/load/binary-source.js';
import { preparedJoinSql } from '../lib/lookups/prepared-join.js';
import { copyOutSql } from '../lib/table-spec/copy-sql.js';
import type { AnyTableSpec } from '../lib/table-spec/spec.js';
import { mensajes } from '../transforms/mensajes.js';
import { sesiones } from '../transforms/sesiones.js';
import { legacyDatabase, withClient } from './helpers/database.js';
import { cutAt, runTransform } from './helpers/transform.js';

// The bulk copy reads the source as COPY binary where its types allow. Whatever the source
// holds, the target must get the bytes, and the reject file the rows, that reading it as
// COPY text gives: the same rows read both ways from a real server, through each engine.
const USERS = `INSERT INTO users (id, phone_number) VALUES
  ('00000000-0000-4000-8000-0000000000a1', '0991234567'),
  ('00000000-0000-4000-8000-0000000000a2', 'no es un teléfono'),
  ('00000000-0000-4000-8000-0000000000a3', NULL),
  ('00000000-0000-4000-8000-0000000000a4', '+593 99 765 4321')`;

const ODD_TIMESTAMPS = ["'2024-05-01 10:00:00.123456'", "'0044-03-15 12:00:00 BC'", "'infinity'", "'-infinity'", "'294276-12-31 23:59:59.999999'", 'NULL', "'2000-01-01'"];
const ODD_TEXTS = ["E'tab\\there, newline\\nthere, cr\\r, backslash \\\\ and \\\\N'", "'\\N'", "''", 'NULL', "'ñandú 🇪🇨 😀'", "' spaced '", "'image/jpeg'", "'a\\b'"];
const SHORT_TEXTS = ["'image/jpeg'", "' audio/ogg '", 'NULL', "''", "'a\\b'", "'ñ'", "'\\N'", "'video\\tmp4'"];
/** Too long for url_media and tipo_media: a reject. */
const LONG = "repeat('x', 600)";
const ODD_JSON = [`'{"a": 1, "t": "tab\\t"}'`, `'[1, 2]'`, `'"texto"'`, `'null'`, 'NULL', `'{}'`];
const KINDS = ["'text'", "' IMAGE '", "'Texto'", 'NULL', "''", "'audio'", "'image'", "'sticker'", "'video'", "'document'", "'text'"];
const STATES = ["'completed'", "'error'", 'NULL', "'pendiente'", "'processing'", "'completed'", "'rara'"];
const [A1, A2, A3, A4] = [1, 2, 3, 4].map((n) => `'00000000-0000-4000-8000-0000000000a${n}'`) as [string, string, string, string];
// Mostly users with a phone; the rest rejected for a bad phone, none, no such user, no user.
const USER_IDS = [A1, A4, A1, A4, A2, A1, A4, A3, A1, "'00000000-0000-4000-8000-0000000000ff'", A4, 'NULL'];

const pick = (list: string[], i: number): string => list[i % list.length]!;
const id = (i: number): string => `'00000000-0000-4000-8000-${String(i).padStart(12, '0')}'`;

function messageRows(count: number, long = true): string {
  const rows = Array.from({ length: count }, (_, i) =>
    [id(i), i % 5 === 0 ? 'NULL' : id(1000 + i), pick(USER_IDS, i), pick(KINDS, i), pick(ODD_TEXTS, i), long && i % 13 === 6 ? LONG : pick(ODD_TEXTS, i + 3), long && i % 17 === 8 ? LONG : pick(SHORT_TEXTS, i + 5), long && i % 11 === 2 ? LONG : pick(ODD_TEXTS, i + 1), pick(STATES, i), pick(ODD_JSON, i), pick(ODD_TIMESTAMPS, i)].join(', '),
  );
  return `INSERT INTO messages (id, conversation_id, user_id, message_type, content, media_url, media_type, ai_response, processing_status, metadata, "timestamp") VALUES (${rows.join('), (')})`;
}

function sessionRows(count: number, long = true): string {
  const rows = Array.from({ length: count }, (_, i) =>
    [id(i), pick(USER_IDS, i), i % 9 === 3 ? 'NULL' : long && i % 13 === 1 ? LONG : pick(["'sess-1'", "' sess 2 '", "'\\N'", "'ñ\\tx'", "'a\\b'", "''", "'x'"], i), pick(["'active'", "'expired'", 'NULL', "'active'", "'inactive'", "'zzz'"], i), long && i % 5 === 0 ? LONG : pick(ODD_TEXTS, i), pick(ODD_JSON, i + 1), pick(ODD_TIMESTAMPS, i), pick(ODD_TIMESTAMPS, i + 2), pick(ODD_TIMESTAMPS, i + 4)].join(', '),
  );
  return `INSERT INTO sessions (id, user_id, session_id, status, qr_code, session_data, expires_at, last_activity, created_at) VALUES (${rows.join('), (')})`;
}

async function copyOut(url: string, spec: AnyTableSpec, binary: boolean): Promise<Buffer> {
  return withClient(url, async (client) => {
    const chunks: Buffer[] = [];
    const preparedJoin = await preparedJoinSql(spec, client);
    await pipeline(client.query(copyTo(copyOutSql(spec, { preparedJoin, binary }))), new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }));
    return Buffer.concat(chunks);
  });
}

for (const spec of [mensajes, sesiones]) {
  t.test(`${spec.target}: COPY binary from the source gives the target bytes and the rejects COPY text gives`, async (t) => {
    const url = await legacyDatabase(t);
    await withClient(url, async (c) => {
      await c.query(USERS);
      await c.query(spec === mensajes ? messageRows(84) : sessionRows(84));
    });
    const columns = binaryColumns(spec)!;
    const types = await withClient(url, (c) => binarySourceTypes(c, spec));
    if (types === null) throw new Error(`${spec.target} no se lee en binario`);
    const text = await copyOut(url, spec, false);
    const binary = await copyOut(url, spec, true);
    const fromText = await runTransform(spec, [text], {}, undefined, undefined, columns);
    const fromBinary = await runTransform(spec, [binary], {}, undefined, undefined, columns, types);
    t.equal(fromText.counters.read, 84);
    t.ok(fromText.counters.rejected > 0 && fromText.counters.written > 30, `some rows rejected (${fromText.counters.rejected}), ${fromText.counters.written} written`);
    if (spec === mensajes) t.ok(fromText.counters.adjusted > 0, `some adjusted (${fromText.counters.adjusted})`);
    t.same(fromBinary.counters, fromText.counters, 'the same counts');
    t.ok(fromBinary.bytes.equals(fromText.bytes), `the same ${fromText.bytes.length} bytes for the target`);
    t.same(fromBinary.rejects, fromText.rejects, 'the same reject lines');
  });

  t.test(`${spec.target}: the same output wherever the binary input is cut`, async (t) => {
    const url = await legacyDatabase(t);
    await withClient(url, async (c) => {
      await c.query(USERS);
      await c.query(spec === mensajes ? messageRows(12, false) : sessionRows(12, false));
    });
    const columns = binaryColumns(spec)!;
    const types = (await withClient(url, (c) => binarySourceTypes(c, spec)))!;
    const fromText = await runTransform(spec, [await copyOut(url, spec, false)], {}, undefined, undefined, columns);
    const binary = await copyOut(url, spec, true);
    t.ok(fromText.counters.rejected > 0 && fromText.counters.written > 0, 'rows written and rejected');
    for (let at = 1; at < binary.length; at++) {
      const cut = await runTransform(spec, cutAt(binary, at), {}, undefined, undefined, columns, types);
      if (!cut.bytes.equals(fromText.bytes) || JSON.stringify(cut.rejects) !== JSON.stringify(fromText.rejects)) {
        t.fail(`distinta salida al cortar la entrada binaria en el byte ${at}`);
        return;
      }
    }
    const bytewise = await runTransform(spec, [...binary].map((b) => Buffer.from([b])), {}, undefined, undefined, columns, types);
    t.ok(bytewise.bytes.equals(fromText.bytes), 'byte a byte');
    t.pass(`igual en los ${binary.length - 1} cortes`);
  });
}

t.test('a binary stream cut short or going on after its end is refused', async (t) => {
  const url = await legacyDatabase(t);
  await withClient(url, (c) => c.query(`${USERS}; ${messageRows(3)}; ${sessionRows(2)}`));
  const columns = binaryColumns(mensajes)!;
  const types = (await withClient(url, (c) => binarySourceTypes(c, mensajes)))!;
  const binary = await copyOut(url, mensajes, true);
  await t.rejects(runTransform(mensajes, [binary.subarray(0, binary.length - 2)], {}, undefined, undefined, columns, types), { code: 'COPY_MALFORMADO' }, 'without its end');
  await t.rejects(runTransform(mensajes, [binary.subarray(0, binary.length - 5)], {}, undefined, undefined, columns, types), { code: 'COPY_MALFORMADO' }, 'in the middle of a row');
  await t.rejects(runTransform(mensajes, [binary, binary.subarray(19)], {}, undefined, undefined, columns, types), { code: 'COPY_MALFORMADO' }, 'rows after its end');
  await t.rejects(runTransform(mensajes, [Buffer.from('1\t2\n'.repeat(10))], {}, undefined, undefined, columns, types), { code: 'COPY_MALFORMADO' }, 'COPY text where binary was expected');
  await t.rejects(runTransform(mensajes, [await copyOut(url, sesiones, true)], {}, undefined, undefined, columns, types), { code: 'COPY_MALFORMADO' }, 'rows of another shape');
});
