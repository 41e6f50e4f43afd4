import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { encodeRow } from '../lib/pg/copy-text.js';
import { RejectFile } from '../lib/rejects/reject-file.js';
import { sourceFields } from '../lib/table-spec/field-order.js';
import { mensajes } from '../transforms/mensajes.js';

const FIELDS = sourceFields(mensajes);
const row = (values: Record<string, string | null>): Buffer => Buffer.from(encodeRow(FIELDS.map((f) => values[f] ?? null)).replace(/\n$/, ''));

t.test('the CSV written from the spool keeps every original value, NULL apart from empty', async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), 'informe-'));
  const rejects = new RejectFile(reportDir, mensajes);
  rejects.write({ reason: 'valor_invalido', detail: 'tipo_mensaje: "sticker"', row: row({ id: 'm1', user_id: 'u1', message_type: 'sticker', content: '' }) });
  rejects.write({ reason: 'telefono_faltante', detail: 'sin teléfono', row: row({ id: 'm2', content: 'línea 1\nlínea "2"\t, coma \\N', metadata: '{"a": 1}' }) });
  // Closed twice, as a failure after the close does: the file is written once.
  await Promise.all([rejects.close(), rejects.close()]);
  await rejects.close();
  t.equal(
    readFileSync(path.join(reportDir, 'rejects', 'mensajes.csv'), 'utf8'),
    [
      'motivo,detalle,id_origen,id,conversation_id,user_id,message_type,content,media_url,media_type,ai_response,processing_status,metadata,timestamp',
      'valor_invalido,"tipo_mensaje: ""sticker""",m1,m1,,u1,sticker,"",,,,,,',
      'telefono_faltante,sin teléfono,m2,m2,,,,"línea 1\nlínea ""2""\t, coma \\N",,,,,"{""a"": 1}",',
      '',
    ].join('\n'),
  );
  t.same(readdirSync(path.join(reportDir, 'rejects'), { recursive: true }), ['mensajes.csv'], 'el fichero en bruto se borró');
});

t.test('a table without rejects gets a file with its header only', async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), 'informe-'));
  const rejects = new RejectFile(reportDir, mensajes);
  await rejects.close();
  t.equal(readFileSync(path.join(reportDir, 'rejects', 'mensajes.csv'), 'utf8'), 'motivo,detalle,id_origen,id,conversation_id,user_id,message_type,content,media_url,media_type,ai_response,processing_status,metadata,timestamp\n');
});
