// `npm run generate -- --url URL --messages N`: a generated dirty legacy database to
// rehearse on (docs/operador.md). Only into a database without the legacy tables: it
// must never be pointed at production by mistake.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generateLegacy } from './generate-legacy.js';

const LEGACY_TABLES = ['users', 'customers', 'professions', 'provider_professions', 'provider_services', 'service_requests', 'messages', 'sessions', 'task_queue'];

function fail(message: string): never {
  process.stderr.write(`generate: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({ options: { url: { type: 'string' }, messages: { type: 'string', default: '20000' } } });
const url = values.url ?? process.env.DATABASE_URL;
if (!url) fail('falta la base: --url postgres://usuario@servidor/base_de_ensayo (o DATABASE_URL).');
const messages = Number(values.messages);
if (!Number.isInteger(messages) || messages < 1) fail(`--messages debe ser un entero positivo, se recibió ${JSON.stringify(values.messages)}.`);

const client = new pg.Client({ connectionString: url });
try {
  await client.connect();
} catch (error) {
  fail(`no se pudo conectar: ${(error as Error).message}`);
}
const { rows } = await client.query<{ name: string }>('SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename = ANY($1)', [LEGACY_TABLES]);
await client.end();
if (rows.length > 0) fail(`la base ya tiene tablas heredadas (${rows.map((r) => r.name).join(', ')}): generate solo escribe en una base vacía de ensayo, nunca en una con datos.`);

process.stderr.write(`Generando la base heredada de ensayo (${messages} mensajes)...\n`);
await generateLegacy(url, { messages, onTable: (table, n) => process.stderr.write(`  ${table}: ${n} filas\n`) });
process.stderr.write('Lista. Ensaye con: SOURCE_DATABASE_URL=<esta base> TARGET_DATABASE_URL=<otra base> npx copiar-tablas plan\n');
