// A deterministic, realistically dirty legacy database: the same seed and size always
// give the same rows. Used by the demo, the benchmarks and the large tests.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { encodeField } from '../lib/pg/copy-text.js';
import { projectRoot } from './paths.js';

export interface GenerateOptions {
  /** Rows of `messages`; every other table is sized from it. */
  messages: number;
  seed?: number;
  onTable?: (table: string, rows: number) => void;
}

export const LEGACY_SCHEMA_SQL = readFileSync(path.join(projectRoot(), 'schema/legacy.sql'), 'utf8');

/** mulberry32: small, fast and the same everywhere. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  uuid(): string {
    const hex = Array.from({ length: 4 }, () => Math.floor(this.next() * 4294967296).toString(16).padStart(8, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89ab'[parseInt(hex[16]!, 16) & 3]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

const FIRST = ['María', 'José', 'Luis', 'Ana', 'Carlos', 'Lucía', 'Jorge', 'Gabriela', 'Andrés', 'Valeria', 'Diego', 'Paola', 'Fernando', 'Sofía'];
const LAST = ['Pérez', 'Andrade', 'Zambrano', 'Vera', 'Cedeño', 'Mendoza', 'Torres', 'Guamán', 'Quishpe', 'Chávez', 'Ortiz', 'Núñez'];
const CITIES = ['Quito', 'Guayaquil', 'Cuenca', 'Manta', 'Loja', 'Ambato', 'Portoviejo', 'Machala', '  Santo   Domingo ', 'quito', ''];
const PROFESSIONS = ['Plomero', 'Electricista', 'Carpintero', 'Albañil', 'Pintor', 'Cerrajero', 'Jardinero', 'Mecánico', 'Técnico de refrigeración', 'Costurera', 'Chef', 'Fotógrafo', 'Profesor de matemáticas', 'Abogado', 'Contador', 'Veterinario', 'Gasfitero', 'Soldador', 'Niñera', 'Chofer'];
const WORDS = 'hola buenos días necesito un plomero para mañana en la tarde por favor cuánto cobra por la visita gracias señor ya le envío la ubicación está bien perfecto listo confirmado la dirección es cerca del parque central'.split(' ');
const EMOJI = ['😀', '🇪🇨', '👍', '🙏', '🔧', '✅'];

function phoneText(r: Random, digits: string): string {
  switch (r.int(0, 5)) {
    case 0:
      return `09${digits}`;
    case 1:
      return `5939${digits}`;
    case 2:
      return `+593 9${digits.slice(0, 1)} ${digits.slice(1, 4)} ${digits.slice(4)}`;
    case 3:
      return `(09${digits.slice(0, 1)}) ${digits.slice(1, 4)}-${digits.slice(4)}`;
    case 4:
      return `+5939${digits}`;
    default:
      return ` 09${digits} `;
  }
}

/** A phone as users typed it, sometimes unusable. */
function dirtyPhone(r: Random, index: number): string | null {
  const roll = r.next();
  if (roll < 0.005) return null;
  if (roll < 0.01) return '';
  if (roll < 0.02) return r.pick(['n/a', 'sin número', '12345', '099-ABC']);
  if (roll < 0.03) return `+1 415 555 ${String(100 + (index % 900)).padStart(4, '0')}`;
  // Eight digits after 09: a valid Ecuadorian mobile number.
  return phoneText(r, String(80000000 + ((index * 7919) % 19999999)).padStart(8, '0'));
}

function sentence(r: Random, minBytes: number, maxBytes: number): string {
  const target = r.int(minBytes, maxBytes);
  let text = '';
  while (Buffer.byteLength(text) < target) text += (text ? ' ' : '') + r.pick(WORDS);
  if (r.chance(0.05)) text += ' ' + r.pick(EMOJI);
  if (r.chance(0.02)) text += '\ncon salto de línea';
  if (r.chance(0.01)) text += '\tcon tab y \\ barra';
  return text;
}

function pickVariant(r: Random, english: readonly string[], spanish: readonly string[]): string | null {
  const roll = r.next();
  if (roll < 0.05) return null;
  if (roll < 0.06) return 'desconocido';
  const word = roll < 0.6 ? r.pick(english) : r.pick(spanish);
  return r.chance(0.1) ? ` ${word.toUpperCase()} ` : word;
}

function timestamp(r: Random, base = Date.UTC(2023, 0, 1)): string {
  const ms = base + r.int(0, 600 * 24 * 3600) * 1000 + r.int(0, 999) * 1000;
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

function dirtyJson(r: Random, shape: 'object' | 'array'): string | null {
  const roll = r.next();
  if (roll < 0.1) return null;
  if (roll < 0.15) return '';
  if (roll < 0.2) return shape === 'object' ? '{"dias": ["lunes", "martes"' : '["CAP-1", "CAP-2"';
  if (roll < 0.25) return shape === 'object' ? 'lunes a viernes' : 'curso SECAP, licencia tipo C';
  if (roll < 0.26) return shape === 'object' ? '{{{' : '[}}';
  return shape === 'object' ? `{"dias": ["lunes", "viernes"], "horas": "${r.int(7, 10)}-${r.int(16, 19)}"}` : `["certificado ${r.int(1, 99)}"]`;
}

type Row = (string | null)[];

async function load(client: pg.ClientBase, table: string, columns: string[], count: number, row: (i: number) => Row): Promise<void> {
  function* chunks(): Generator<string> {
    let chunk = '';
    for (let i = 0; i < count; i++) {
      chunk += row(i).map(encodeField).join('\t') + '\n';
      if (chunk.length > 256 * 1024) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  await pipeline(Readable.from(chunks()), client.query(copyFrom(`COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN`)));
}

export interface GeneratedSizes {
  users: number;
  customers: number;
  professions: number;
  provider_professions: number;
  provider_services: number;
  service_requests: number;
  messages: number;
  sessions: number;
  task_queue: number;
}

/**
 * Table sizes for a given number of messages. Users grow with messages up to 50k (the
 * size the performance issue sets for 1M messages) and stay there: a marketplace's user
 * base does not grow with its chat history, and a fixed user base makes memory at 5M
 * comparable with memory at 1M.
 */
export function sizesFor(messages: number): GeneratedSizes {
  const users = Math.min(50_000, Math.max(100, Math.round(messages / 20)));
  const providers = Math.round(users * 0.4);
  return {
    users,
    customers: Math.round(users / 2),
    professions: PROFESSIONS.length + 4,
    provider_professions: Math.round(providers * 1.5),
    provider_services: providers,
    service_requests: Math.max(50, Math.round(messages / 20)),
    messages,
    sessions: Math.round(users / 5),
    task_queue: Math.max(50, Math.round(messages / 50)),
  };
}

/** Creates the legacy schema in an empty database and fills it. */
export async function generateLegacy(url: string, options: GenerateOptions): Promise<GeneratedSizes> {
  const sizes = sizesFor(options.messages);
  const r = new Random(options.seed ?? 20241123);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(LEGACY_SCHEMA_SQL);
    const userIds: string[] = [];
    const providerIds: string[] = [];
    const phones: (string | null)[] = [];
    for (let i = 0; i < sizes.users; i++) userIds.push(r.uuid());
    const done = (table: string, rows: number): void => options.onTable?.(table, rows);

    await load(client, 'users', ['id', 'phone_number', 'name', 'email', 'user_type', 'business_name', 'business_description', 'address', 'city', 'country', 'latitude', 'longitude', 'status', 'created_at', 'updated_at'], sizes.users, (i) => {
      const provider = i % 5 < 2;
      if (provider) providerIds.push(userIds[i]!);
      // Some phones repeat on purpose: the duplicate rule keeps the newest.
      const phone = i > 10 && r.chance(0.02) ? phones[r.int(0, i - 1)]! : dirtyPhone(r, i);
      phones.push(phone);
      const name = r.chance(0.02) ? null : `${r.chance(0.05) ? ' ' : ''}${r.pick(FIRST)}  ${r.pick(LAST)}`;
      const outOfRange = r.chance(0.005);
      return [
        userIds[i]!,
        phone,
        name,
        r.chance(0.3) ? null : ` ${r.pick(FIRST)}.${i}@Correo.EC `,
        provider ? r.pick(['provider', 'Provider', ' proveedor ', 'PROVIDER']) : r.pick(['customer', 'customer', 'admin']),
        provider && r.chance(0.5) ? `${r.pick(LAST)} Servicios` : null,
        provider && r.chance(0.3) ? sentence(r, 40, 200) : null,
        r.chance(0.5) ? `Av. ${r.pick(LAST)} N${r.int(1, 99)}-${r.int(1, 99)}` : null,
        r.pick(CITIES),
        r.pick(['Ecuador', 'ecuador', null, 'ECUADOR', 'Colombia']),
        outOfRange ? '123.5' : String(-r.int(0, 4) - r.next()),
        outOfRange ? '-78.5' : String(-78 - r.next() * 2),
        pickVariant(r, ['active', 'inactive', 'suspended', 'pending_verification', 'pending'], ['activo', 'inactivo', 'suspendido', 'verificacion_pendiente']),
        timestamp(r),
        r.chance(0.1) ? null : timestamp(r, Date.UTC(2024, 6, 1)),
      ];
    });
    done('users', sizes.users);

    await load(client, 'customers', ['id', 'phone_number', 'full_name', 'city', 'city_confirmed_at', 'notes', 'created_at', 'updated_at'], sizes.customers, (i) => [
      r.chance(0.02) ? null : r.uuid(),
      i > 10 && r.chance(0.03) ? phones[r.int(0, sizes.users - 1)]! : dirtyPhone(r, i * 3 + 1),
      r.chance(0.03) ? null : `${r.pick(FIRST)} ${r.pick(LAST)}`,
      r.pick(CITIES),
      r.chance(0.5) ? timestamp(r) : null,
      dirtyJson(r, 'object'),
      timestamp(r),
      timestamp(r, Date.UTC(2024, 6, 1)),
    ]);
    done('customers', sizes.customers);

    const professionNames = [...PROFESSIONS, ' Plomero', 'Electricista  ', null, 'Chef'];
    await load(client, 'professions', ['id', 'name', 'specialty', 'category', 'is_active', 'created_at', 'updated_at'], professionNames.length, (i) => [
      String(i + 1),
      professionNames[i]!,
      r.chance(0.5) ? 'general' : null,
      r.pick(['hogar', 'técnico', 'profesional', null]),
      r.pick(['t', 'f', null]),
      timestamp(r),
      timestamp(r),
    ]);
    await client.query("SELECT setval('professions_id_seq', (SELECT max(id) FROM professions))");
    done('professions', professionNames.length);

    await load(client, 'provider_professions', ['provider_id', 'profession_id', 'specialty', 'experience_years', 'certifications', 'is_primary', 'verification_status', 'created_at'], sizes.provider_professions, (i) => [
      r.chance(0.01) ? r.uuid() : r.chance(0.01) ? userIds[r.int(0, userIds.length - 1)]! : providerIds[i % providerIds.length]!,
      String(r.chance(0.01) ? 999 : r.int(1, professionNames.length)),
      r.chance(0.3) ? 'residencial' : null,
      r.chance(0.1) ? null : String(r.chance(0.01) ? 85 : r.int(0, 40)),
      dirtyJson(r, 'array'),
      r.pick(['t', 'f', null]),
      pickVariant(r, ['pending', 'verified', 'rejected'], ['pendiente', 'verificada', 'rechazada']),
      timestamp(r),
    ]);
    done('provider_professions', sizes.provider_professions);

    await load(client, 'provider_services', ['id', 'provider_id', 'title', 'description', 'category', 'price', 'price_type', 'availability', 'is_active', 'created_at', 'updated_at'], sizes.provider_services, (i) => [
      r.uuid(),
      r.chance(0.02) ? r.uuid() : providerIds[i % providerIds.length]!,
      r.chance(0.01) ? null : `${r.pick(PROFESSIONS)} a domicilio`,
      r.chance(0.5) ? sentence(r, 30, 150) : null,
      r.pick(['hogar', 'técnico', null]),
      r.chance(0.01) ? '1234567890.5' : r.chance(0.1) ? null : (r.int(500, 50000) / 100).toFixed(2),
      pickVariant(r, ['fixed', 'range', 'negotiable', 'hourly', 'per_hour'], ['fijo', 'rango', 'a_convenir', 'hora']),
      dirtyJson(r, 'object'),
      r.pick(['t', 'f', null]),
      timestamp(r),
      timestamp(r),
    ]);
    done('provider_services', sizes.provider_services);

    await load(client, 'service_requests', ['phone_number', 'profession', 'location_city', 'location_lat', 'location_lng', 'suggested_providers', 'requested_at', 'resolved_at'], sizes.service_requests, (i) => [
      r.chance(0.7) ? dirtyPhone(r, (i % sizes.customers) * 3 + 1) : dirtyPhone(r, 5_000_000 + i),
      r.pick(PROFESSIONS),
      r.pick(CITIES),
      r.chance(0.2) ? null : String(-r.next() * 4),
      r.chance(0.2) ? null : r.chance(0.01) ? '200.1' : String(-78 - r.next()),
      dirtyJson(r, 'array'),
      timestamp(r),
      r.chance(0.6) ? timestamp(r, Date.UTC(2024, 8, 1)) : null,
    ]);
    done('service_requests', sizes.service_requests);

    const contents = Array.from({ length: 2000 }, () => sentence(r, 50, 250));
    const aiReplies = Array.from({ length: 500 }, () => sentence(r, 80, 400));
    await load(client, 'messages', ['id', 'conversation_id', 'user_id', 'message_type', 'content', 'media_url', 'media_type', 'ai_response', 'processing_status', 'metadata', 'timestamp'], sizes.messages, (i) => {
      const media = r.chance(0.1);
      const roll = r.next();
      return [
        r.uuid(),
        r.chance(0.05) ? null : userIds[(i * 13) % userIds.length]!.replace(/^.{8}/, 'c0c0c0c0'),
        roll < 0.03 ? null : roll < 0.05 ? r.uuid() : userIds[r.int(0, userIds.length - 1)]!,
        media ? r.pick(['image', 'imagen', 'audio', 'video', 'document', 'Document ']) : r.chance(0.001) ? 'sticker' : r.pick(['text', 'texto', 'TEXT', null]),
        media && r.chance(0.7) ? null : r.pick(contents),
        media ? `https://media.ejemplo.ec/${r.uuid()}.jpg` : null,
        media ? r.pick(['image/jpeg', 'audio/ogg', 'video/mp4', 'application/pdf']) : null,
        r.chance(0.2) ? r.pick(aiReplies) : null,
        pickVariant(r, ['pending', 'processing', 'completed', 'error', 'failed'], ['pendiente', 'procesando', 'completado']),
        r.chance(0.3) ? null : `{"canal": "whatsapp", "version": ${r.int(1, 3)}}`,
        timestamp(r),
      ];
    });
    done('messages', sizes.messages);

    await load(client, 'sessions', ['id', 'user_id', 'session_id', 'status', 'qr_code', 'session_data', 'expires_at', 'last_activity', 'created_at'], sizes.sessions, () => [
      r.uuid(),
      r.chance(0.02) ? r.uuid() : userIds[r.int(0, userIds.length - 1)]!,
      r.chance(0.01) ? null : `sesion-${r.uuid()}`,
      pickVariant(r, ['active', 'inactive', 'expired', 'error'], ['activa', 'inactiva', 'expirada']),
      r.chance(0.3) ? `2@${r.uuid()}` : null,
      r.chance(0.3) ? null : `{"navegador": "chrome", "reintentos": ${r.int(0, 5)}}`,
      r.chance(0.5) ? timestamp(r, Date.UTC(2024, 10, 1)) : null,
      timestamp(r),
      timestamp(r),
    ]);
    done('sessions', sizes.sessions);

    await load(client, 'task_queue', ['id', 'task_type', 'payload', 'status', 'priority', 'scheduled_at', 'started_at', 'completed_at', 'error_message', 'retry_count', 'max_retries', 'created_at'], sizes.task_queue, () => [
      r.uuid(),
      r.chance(0.01) ? null : pickVariant(r, ['send_whatsapp', 'reminder', 'follow_up', 'feedback', 'notification'], ['enviar_whatsapp', 'recordatorio', 'seguimiento']) ?? 'reminder',
      r.chance(0.1) ? null : `{"telefono": "+59399${r.int(1000000, 9999999)}"}`,
      pickVariant(r, ['pending', 'in_progress', 'completed', 'failed', 'cancelled', 'canceled'], ['pendiente', 'en_progreso', 'completada']),
      r.chance(0.1) ? null : String(r.chance(0.01) ? 11 : r.int(0, 10)),
      r.chance(0.1) ? null : timestamp(r),
      r.chance(0.5) ? timestamp(r) : null,
      r.chance(0.4) ? timestamp(r) : null,
      r.chance(0.05) ? 'Error: timeout\n  at enviar()' : null,
      r.chance(0.1) ? null : String(r.chance(0.01) ? -1 : r.int(0, 3)),
      r.chance(0.1) ? null : String(r.chance(0.01) ? 0 : 3),
      r.chance(0.01) ? null : timestamp(r),
    ]);
    done('task_queue', sizes.task_queue);
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
  return sizes;
}
