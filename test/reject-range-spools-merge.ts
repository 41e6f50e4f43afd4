import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { encodeRow } from '../lib/pg/copy-text.js';
import { removeRangeSpools, writeRangesRejectCsv } from '../lib/rejects/range-spools.js';
import { RejectFile } from '../lib/rejects/reject-file.js';
import { sourceFields } from '../lib/table-spec/field-order.js';
import { mensajes } from '../transforms/mensajes.js';

const FIELDS = sourceFields(mensajes);
const row = (id: string): Buffer => Buffer.from(encodeRow(FIELDS.map((f) => (f === 'id' ? id : f === 'message_type' ? 'sticker' : null))).replace(/\n$/, ''));
const HEADER = 'motivo,detalle,id_origen,id,conversation_id,user_id,message_type,content,media_url,media_type,ai_response,processing_status,metadata,timestamp';

// The table's final transaction merges the spools; if it fails, a resume merges them
// again (regression-range-spools-kept-until-final-commit.ts runs that for real).
t.test('the ranges’ reject spools are merged in range order, as often as asked, until removed', async (t) => {
  const reportDir = mkdtempSync(path.join(tmpdir(), 'informe-'));
  // Written out of order, as ranges side by side finish.
  for (const [part, ids] of [[1, ['m3']], [0, ['m1', 'm2']], [2, []]] as const) {
    const rejects = new RejectFile(reportDir, mensajes, { range: part });
    for (const id of ids) rejects.write({ reason: 'valor_invalido', detail: `tipo_mensaje: "sticker"`, row: row(id) });
    await rejects.close();
  }
  const expected = [HEADER, ...['m1', 'm2', 'm3'].map((id) => `valor_invalido,"tipo_mensaje: ""sticker""",${id},${id},,,sticker,,,,,,,`), ''].join('\n');

  const { file: csv, byReason } = await writeRangesRejectCsv(reportDir, mensajes, 3);
  t.equal(readFileSync(csv, 'utf8'), expected);
  t.same(byReason, { valor_invalido: 3 }, 'cuenta los rechazos por motivo');
  t.equal(readdirSync(path.join(reportDir, 'rejects', '.tramos')).length, 3, 'las partes siguen ahí');
  t.equal(readFileSync((await writeRangesRejectCsv(reportDir, mensajes, 3)).file, 'utf8'), expected, 'una segunda fusión da el mismo archivo');

  removeRangeSpools(reportDir, 'mensajes', 3);
  t.same(readdirSync(path.join(reportDir, 'rejects', '.tramos')), [], 'tras el commit se borran');
  t.ok(existsSync(csv));
});
