import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { derivedId } from '../lib/rules/index.js';
import { migrate } from '../lib/run/migrate.js';
import { TABLES } from '../transforms/index.js';
import { withClient } from './helpers/database.js';
import { parseCsv } from './helpers/csv.js';
import { dirtyLegacyDatabase } from './helpers/fixture.js';

const QUERIES: Record<string, string> = {
  profesiones: 'SELECT id, nombre, especialidad, categoria, esta_activo FROM profesiones ORDER BY id',
  clientes: 'SELECT id::text, telefono, nombre_completo, ciudad, notas::text, estado FROM clientes ORDER BY telefono',
  proveedores: 'SELECT id::text, telefono, nombre, email, nombre_empresa, descripcion_empresa, direccion, ciudad, pais, latitud::text, longitud::text, estado, nivel_verificacion, rating::text FROM proveedores ORDER BY id',
  proveedor_profesiones: 'SELECT id, proveedor_id::text, profesion_id, especialidad, anos_experiencia, certificaciones::text, es_principal, estado_verificacion FROM proveedor_profesiones ORDER BY id',
  servicios_proveedor: 'SELECT id::text, proveedor_id::text, titulo, descripcion, precio::text, tipo_precio, disponibilidad::text, esta_activo FROM servicios_proveedor ORDER BY id',
  solicitudes_servicio: 'SELECT id::text, cliente_id::text, telefono, profesion_solicitada, ciudad, latitud::text, longitud::text, proveedores_sugeridos::text, estado FROM solicitudes_servicio ORDER BY telefono',
  mensajes: 'SELECT id::text, telefono, tipo_mensaje, contenido, estado_procesamiento, metadata::text FROM mensajes ORDER BY id',
  sesiones: 'SELECT id::text, telefono, id_sesion, estado, codigo_qr, datos_sesion::text, ultima_actividad::text FROM sesiones ORDER BY id',
  tareas_programadas: 'SELECT id::text, tipo_tarea, payload::text, estado, prioridad, programada_at::text, mensaje_error, intentos, max_intentos FROM tareas_programadas ORDER BY id',
};


// Reviewed against contract.md rule by rule: see test/fixtures/dirty-legacy.sql for the
// source rows. [read, written, rejected, adjusted] per table.
const EXPECTED: Record<string, { counts: [number, number, number, number]; rows: unknown[][]; rejects: [string, string][] }> = {
  profesiones: {
    counts: [6, 3, 3, 0],
    rows: [
      [1, "Plomero", "general", "hogar", true],
      [3, "Electricista", null, "técnico", false],
      [6, "Chef", null, null, true],
    ],
    rejects: [
      ["duplicado", "2"],
      ["nombre_faltante", "4"],
      ["demasiado_largo", "5"],
    ],
  },
  clientes: {
    counts: [8, 5, 3, 3],
    rows: [
      ["00000000-0000-4000-8000-0000000000c7", "+593990000002", "Elsa", null, "{\"texto\": \"{{{\"}", "activo"],
      ["00000000-0000-4000-8000-0000000000c8", "+593990000003", "Fito", null, "{\"valor\": [1, 2]}", "activo"],
      ["00000000-0000-4000-8000-0000000000c1", "+593997777777", "Carla Ruiz", "quito", "{\"vip\": true}", "activo"],
      ["72c20374-5746-5240-8c8c-1d3549030b39", "+593998888888", "", null, "{\"texto\": \"cliente frecuente\"}", "activo"],
      ["00000000-0000-4000-8000-0000000000c5", "+593999999999", "Dora", null, "{\"a\": 1}", "activo"],
    ],
    rejects: [
      ["duplicado", "00000000-0000-4000-8000-0000000000c1"],
      ["duplicado", "00000000-0000-4000-8000-0000000000c2"],
      ["telefono_faltante", "00000000-0000-4000-8000-0000000000c4"],
    ],
  },
  proveedores: {
    counts: [9, 3, 6, 1],
    rows: [
      ["00000000-0000-4000-8000-000000000001", "+593991111111", "Ana Pérez", "ana@correo.ec", "Ana Servicios", "Desc\tcon tab ", "Av. Amazonas", "Santo Domingo", "ECUADOR", "-0.25000000", "-78.50000000", "activo", "basico", "5.00"],
      ["00000000-0000-4000-8000-000000000003", "+593992222222", "Taller Vera", null, "Taller Vera", null, null, null, "ECUADOR", null, null, "verificacion_pendiente", "basico", "5.00"],
      ["00000000-0000-4000-8000-000000000009", "+14155550100", "Bob", null, null, null, null, null, "USA", "40.71280000", "-74.00600000", "activo", "basico", "5.00"],
    ],
    rejects: [
      ["duplicado", "00000000-0000-4000-8000-000000000002"],
      ["nombre_faltante", "00000000-0000-4000-8000-000000000004"],
      ["telefono_invalido", "00000000-0000-4000-8000-000000000005"],
      ["telefono_faltante", "00000000-0000-4000-8000-000000000006"],
      ["valor_invalido", "00000000-0000-4000-8000-000000000007"],
      ["demasiado_largo", "00000000-0000-4000-8000-000000000010"],
    ],
  },
  proveedor_profesiones: {
    counts: [11, 3, 8, 1],
    rows: [
      [1, "00000000-0000-4000-8000-000000000001", 1, "baños", 0, "[\"A\"]", true, "verificada"],
      [7, "00000000-0000-4000-8000-000000000009", 3, null, 10, "[\"curso A\", \"curso B\"]", false, "pendiente"],
      [11, "00000000-0000-4000-8000-000000000003", 6, null, 70, "[\"solo texto\"]", false, "rechazada"],
    ],
    rejects: [
      ["duplicado", "2"],
      ["proveedor_inexistente", "3"],
      ["profesion_inexistente", "4"],
      ["profesion_inexistente", "5"],
      ["fuera_de_rango", "6"],
      ["json_invalido", "8"],
      ["valor_invalido", "9"],
      ["proveedor_inexistente", "10"],
    ],
  },
  servicios_proveedor: {
    counts: [6, 2, 4, 1],
    rows: [
      ["00000000-0000-4000-8000-0000000005a1", "00000000-0000-4000-8000-000000000001", "Gasfitería", "  libre\n", "25.50", "a_convenir", "{\"dias\": \"lunes\"}", true],
      ["00000000-0000-4000-8000-0000000005a5", "00000000-0000-4000-8000-000000000009", "Clases", null, "99999999.99", "hora", "{\"texto\": \"lunes a viernes\"}", false],
    ],
    rejects: [
      ["proveedor_inexistente", "00000000-0000-4000-8000-0000000005a2"],
      ["titulo_faltante", "00000000-0000-4000-8000-0000000005a3"],
      ["fuera_de_rango", "00000000-0000-4000-8000-0000000005a4"],
      ["valor_invalido", "00000000-0000-4000-8000-0000000005a6"],
    ],
  },
  solicitudes_servicio: {
    counts: [6, 3, 3, 1],
    rows: [
      ["924f4ea5-d374-5599-adf9-bfeba19830bf", null, "+593991231234", "Chef", null, null, null, "[\"ana\", \"bob\"]", "pendiente"],
      ["4489827f-8cf0-5337-95d4-6212547a3461", "00000000-0000-4000-8000-0000000000c1", "+593997777777", "Plomero", "quito", "-0.20000000", "-78.50000000", "[\"00000000-0000-4000-8000-000000000001\"]", "resuelta"],
      ["5bf0c57e-e8fa-50b8-ae39-4509947701eb", "72c20374-5746-5240-8c8c-1d3549030b39", "+593998888888", null, null, null, null, "[]", "pendiente"],
    ],
    rejects: [
      ["telefono_faltante", "4"],
      ["telefono_invalido", "5"],
      ["json_invalido", "6"],
    ],
  },
  mensajes: {
    counts: [4, 2, 2, 1],
    rows: [
      ["00000000-0000-4000-8000-0000000000e1", "+593995555555", "texto", "hola", "completado", "{}"],
      ["00000000-0000-4000-8000-0000000000e4", "+14155550100", "ubicacion", "", "error", "{\"lat\": -0.2}"],
    ],
    rejects: [
      ["telefono_faltante", "00000000-0000-4000-8000-0000000000e2"],
      ["telefono_invalido", "00000000-0000-4000-8000-0000000000e3"],
    ],
  },
  sesiones: {
    counts: [6, 2, 4, 0],
    rows: [
      ["00000000-0000-4000-8000-0000000000d1", "+593995555555", "abc", "expirada", "QR\\data", "{\"x\": 1}", null],
      ["00000000-0000-4000-8000-0000000000d6", "+14155550100", "z", "activa", null, "{}", "2024-02-01 00:00:00"],
    ],
    rejects: [
      ["id_sesion_faltante", "00000000-0000-4000-8000-0000000000d2"],
      ["id_sesion_faltante", "00000000-0000-4000-8000-0000000000d3"],
      ["telefono_faltante", "00000000-0000-4000-8000-0000000000d4"],
      ["valor_invalido", "00000000-0000-4000-8000-0000000000d5"],
    ],
  },
  tareas_programadas: {
    counts: [8, 3, 5, 0],
    rows: [
      ["00000000-0000-4000-8000-0000000000f1", "enviar_whatsapp", "{\"a\": 1}", "en_progreso", 5, "2024-03-01 10:00:00", null, 1, 3],
      ["00000000-0000-4000-8000-0000000000f3", "seguimiento", "{}", "cancelada", 0, "2024-01-02 03:04:05", null, 0, 3],
      ["00000000-0000-4000-8000-0000000000f8", "notificacion", "{\"valor\": \"hola\"}", "pendiente", 0, "2024-03-01 00:00:00", "  línea\n  ", 0, 3],
    ],
    rejects: [
      ["valor_invalido", "00000000-0000-4000-8000-0000000000f2"],
      ["fuera_de_rango", "00000000-0000-4000-8000-0000000000f4"],
      ["programada_faltante", "00000000-0000-4000-8000-0000000000f5"],
      ["fuera_de_rango", "00000000-0000-4000-8000-0000000000f6"],
      ["fuera_de_rango", "00000000-0000-4000-8000-0000000000f7"],
    ],
  },
};

// UUID v5 ids, computed independently (Python's uuid.uuid5) and pinned here.
const DERIVED = {
  'customers:+593998888888': '72c20374-5746-5240-8c8c-1d3549030b39',
  'service_requests:1': '4489827f-8cf0-5337-95d4-6212547a3461',
  'service_requests:2': '5bf0c57e-e8fa-50b8-ae39-4509947701eb',
  'service_requests:3': '924f4ea5-d374-5599-adf9-bfeba19830bf',
};

t.test('derived ids are UUID v5 in the contract namespace', async (t) => {
  for (const [key, id] of Object.entries(DERIVED)) {
    const [table, ...rest] = key.split(':');
    t.equal(derivedId(table!, rest.join(':')), id, key);
  }
});

t.test('all nine tables from a dirty legacy database give exactly the contract rows', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  const reportDir = mkdtempSync(path.join(tmpdir(), 'informe-'));
  const summary = await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, reportDir });
  t.ok(summary.ok, 'la ejecución terminó bien');
  t.same(Object.keys(summary.tables), TABLES.map((t) => t.target), 'las nueve tablas, en el orden de carga');
  const onDisk = JSON.parse(readFileSync(path.join(reportDir, 'summary.json'), 'utf8'));

  for (const [table, expected] of Object.entries(EXPECTED)) {
    const s = summary.tables[table]!;
    t.same([s.read, s.written, s.rejected, s.adjusted], expected.counts, `${table}: leídas, escritas, rechazadas, ajustadas`);
    t.equal(s.read, s.written + s.rejected, `${table}: read = written + rejected`);
    t.same(onDisk.tables[table].read, s.read, `${table}: summary.json`);
    const rows = await withClient(url, async (c) => (await c.query({ text: QUERIES[table]!, rowMode: 'array' })).rows);
    t.same(rows, expected.rows, `${table}: filas exactas`);
    const csv = readFileSync(path.join(reportDir, 'rejects', `${table}.csv`), 'utf8');
    const rejects = parseCsv(csv).slice(1).map((r) => [r[0], r[2]]);
    t.same(rejects, expected.rejects, `${table}: motivo e id_origen de cada rechazo`);
  }
});

t.test('sequences, the forgotten UNIQUE and every index of the guide are in place', async (t) => {
  const url = await dirtyLegacyDatabase(t);
  await migrate({ catalog: TABLES, sourceUrl: url, targetUrl: url, reportDir: mkdtempSync(path.join(tmpdir(), 'informe-')) });
  await withClient(url, async (c) => {
    t.equal((await c.query("SELECT nextval('profesiones_id_seq')::int AS n")).rows[0].n, 7, 'profesiones sigue tras el mayor id copiado');
    t.equal((await c.query("SELECT nextval('proveedor_profesiones_id_seq')::int AS n")).rows[0].n, 12, 'proveedor_profesiones también');
    const unique = await c.query(
      "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'proveedor_profesiones'::regclass AND contype = 'u'",
    );
    t.same(unique.rows.map((r) => r.def), ['UNIQUE (proveedor_id, profesion_id)']);
    const indexes = (await c.query("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE 'idx\\_%' ORDER BY 1")).rows.map((r) => r.indexname);
    t.equal(indexes.length, 38, 'los 38 índices idx_* de la guía');
    const fks = (await c.query("SELECT conrelid::regclass::text AS t, confrelid::regclass::text AS r FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace ORDER BY 1, 2")).rows;
    t.same(fks, [
      { t: 'proveedor_profesiones', r: 'profesiones' },
      { t: 'proveedor_profesiones', r: 'proveedores' },
      { t: 'servicios_proveedor', r: 'proveedores' },
      { t: 'solicitudes_servicio', r: 'clientes' },
    ]);
    const estado = await c.query("SELECT character_maximum_length AS n FROM information_schema.columns WHERE table_name = 'proveedores' AND column_name = 'estado'");
    t.equal(estado.rows[0].n, 30, 'proveedores.estado es VARCHAR(30)');
  });
});
