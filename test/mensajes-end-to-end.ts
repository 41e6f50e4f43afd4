import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { migrate } from '../lib/run/migrate.js';
import { TABLES } from '../transforms/index.js';
import { legacyDatabase, withClient } from './helpers/database.js';

const U = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

t.test('mensajes from a dirty legacy database: exact rows, every reject in the file', async (t) => {
  const url = await legacyDatabase(t);
  await withClient(url, async (c) => {
    await c.query(`INSERT INTO users (id, phone_number, user_type) VALUES
      ($1, '0991234567', 'customer'),
      ($2, '+1 415 555 0100', 'provider'),
      ($3, 'no sé', 'customer'),
      ($4, NULL, 'customer')`, [U(1), U(2), U(3), U(4)]);
    await c.query(`INSERT INTO messages (id, conversation_id, user_id, message_type, content, media_url, media_type, ai_response, processing_status, metadata, "timestamp") VALUES
      ($1, $10, $11, 'text', E'hola\\tcon tab\\ny salto \\\\ y \\\\N', NULL, NULL, 'ia', 'completed', '{"k": [1, 2]}', '2024-01-02 03:04:05.678901'),
      ($2, NULL, $12, ' Imagen ', NULL, '  https://cdn.ec/x.jpg  ', 'image/jpeg', NULL, 'PENDIENTE', NULL, '2024-01-02 03:04:06'),
      ($3, NULL, $11, NULL, '🇪🇨 ñ', NULL, NULL, NULL, NULL, '[1,2]', NULL),
      ($4, NULL, $11, 'sticker', '', NULL, NULL, NULL, NULL, NULL, NULL),
      ($5, NULL, $13, 'text', 'x', NULL, NULL, NULL, NULL, NULL, NULL),
      ($6, NULL, $14, 'text', 'x', NULL, NULL, NULL, NULL, NULL, NULL),
      ($7, NULL, NULL, 'text', 'x', NULL, NULL, NULL, NULL, NULL, NULL),
      ($8, NULL, $11, 'text', 'x', repeat('u', 501), NULL, NULL, NULL, NULL, NULL),
      ($9, NULL, $11, 'audio', '', NULL, NULL, NULL, 'failed', '"texto suelto"', NULL)`,
      [U(101), U(102), U(103), U(104), U(105), U(106), U(107), U(108), U(109), U(900), U(1), U(2), U(3), U(4)]);
  });
  const reportDir = mkdtempSync(path.join(tmpdir(), 'informe-'));
  const summary = await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, tables: ['mensajes'], reportDir });

  t.match(summary.tables.mensajes, { read: 9, written: 4, rejected: 5, adjusted: 1, status: 'ok' });
  const rows = await withClient(url, async (c) =>
    (await c.query(`SELECT id::text, conversacion_id::text, telefono, tipo_mensaje, contenido, url_media, tipo_media, respuesta_ia, estado_procesamiento, metadata::text, creado_at::text FROM mensajes ORDER BY id`)).rows);
  t.same(rows, [
    { id: U(101), conversacion_id: U(900), telefono: '+593991234567', tipo_mensaje: 'texto', contenido: 'hola\tcon tab\ny salto \\ y \\N', url_media: null, tipo_media: null, respuesta_ia: 'ia', estado_procesamiento: 'completado', metadata: '{"k": [1, 2]}', creado_at: '2024-01-02 03:04:05.678901' },
    { id: U(102), conversacion_id: null, telefono: '+14155550100', tipo_mensaje: 'imagen', contenido: '', url_media: 'https://cdn.ec/x.jpg', tipo_media: 'image/jpeg', respuesta_ia: null, estado_procesamiento: 'pendiente', metadata: '{}', creado_at: '2024-01-02 03:04:06' },
    { id: U(103), conversacion_id: null, telefono: '+593991234567', tipo_mensaje: 'texto', contenido: '🇪🇨 ñ', url_media: null, tipo_media: null, respuesta_ia: null, estado_procesamiento: 'completado', metadata: '{"valor": [1, 2]}', creado_at: null },
    { id: U(109), conversacion_id: null, telefono: '+593991234567', tipo_mensaje: 'audio', contenido: '', url_media: null, tipo_media: null, respuesta_ia: null, estado_procesamiento: 'error', metadata: '{"valor": "texto suelto"}', creado_at: null },
  ], 'filas escritas');

  const csv = readFileSync(path.join(reportDir, 'rejects', 'mensajes.csv'), 'utf8').trim().split('\n');
  t.equal(csv[0], 'motivo,detalle,id_origen,id,conversation_id,user_id,message_type,content,media_url,media_type,ai_response,processing_status,metadata,timestamp');
  const long = 'u'.repeat(501);
  t.same(csv.slice(1), [
    `valor_invalido,"tipo_mensaje: ""sticker""",${U(104)},${U(104)},,${U(1)},sticker,"",,,,,,`,
    `telefono_invalido,"telefono: ""no sé""",${U(105)},${U(105)},,${U(3)},text,x,,,,,,`,
    `telefono_faltante,el usuario no existe o no tiene teléfono,${U(106)},${U(106)},,${U(4)},text,x,,,,,,`,
    `telefono_faltante,el usuario no existe o no tiene teléfono,${U(107)},${U(107)},,,text,x,,,,,,`,
    `demasiado_largo,"url_media: 501 caracteres, máximo 500",${U(108)},${U(108)},,${U(1)},text,x,${long},,,,,`,
  ], 'cada fila rechazada, con sus valores originales');
  const summaryFile = JSON.parse(readFileSync(path.join(reportDir, 'summary.json'), 'utf8'));
  t.equal(summaryFile.tables.mensajes.read, summaryFile.tables.mensajes.written + summaryFile.tables.mensajes.rejected);
});
