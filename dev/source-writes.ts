import type pg from 'pg';

const PROVIDER = "lower(trim(user_type)) IN ('provider', 'proveedor')";

/**
 * One round of writes of every kind the follow mode must carry through the contract, on
 * all nine source tables (docs/contract.md, "Following changes"). `round` (1, 2, ...)
 * makes each round touch other rows and write other values.
 */
export const WRITE_ROUNDS: ((round: number) => string)[] = [
  // A provider changes phone: proveedores.telefono, and that user's mensajes and sesiones.
  (r) => `UPDATE users SET phone_number = '+59399000${String(r).padStart(4, '0')}', updated_at = now() WHERE id = (SELECT id FROM users WHERE ${PROVIDER} AND phone_number LIKE '%9%' ORDER BY id OFFSET ${r} LIMIT 1)`,
  // A newer provider takes an existing provider's phone: it wins, the other is rejected as duplicado.
  (r) => `INSERT INTO users (id, phone_number, name, user_type, status, created_at, updated_at)
            SELECT md5('duplicado ${r}')::uuid, phone_number, 'Duplicado ${r}', 'provider', 'active', now(), now() + interval '1 day'
              FROM users WHERE ${PROVIDER} AND phone_number LIKE '%9%' ORDER BY id OFFSET ${10 + r} LIMIT 1`,
  // The winner of a group goes: the next row of its group (the older provider) wins again.
  (r) => (r > 1 ? `DELETE FROM users WHERE id = md5('duplicado ${r - 1}')::uuid` : 'SELECT 1'),
  // A user without a phone gets one: their rejected mensajes and sesiones are written.
  (r) => `UPDATE users SET phone_number = '+59399111${String(r).padStart(4, '0')}' WHERE id = (SELECT id FROM users WHERE nullif(trim(phone_number), '') IS NULL ORDER BY id LIMIT 1)`,
  // A written provider gets an unusable phone: removed and rejected, with its messages.
  (r) => `UPDATE users SET phone_number = 'sin número ${r}' WHERE id = (SELECT id FROM users WHERE ${PROVIDER} AND phone_number LIKE '%9%' ORDER BY id DESC OFFSET ${r} LIMIT 1)`,
  // The provider broken in the round before is repaired: it is written again, and its services and professions with it.
  (r) => `UPDATE users SET phone_number = '+59399222${String(r).padStart(4, '0')}' WHERE phone_number = 'sin número ${r - 1}'`,
  (r) => `INSERT INTO customers (id, phone_number, full_name, city, notes) VALUES (md5('cliente ${r}')::uuid, '09922${String(r).padStart(5, '0')}', 'Cliente Nuevo ${r}', 'Quito', '{"origen": "seguimiento"}')`,
  (r) => `UPDATE customers SET phone_number = '09933${String(r).padStart(5, '0')}', updated_at = now() WHERE id = (SELECT id FROM customers WHERE id IS NOT NULL ORDER BY id OFFSET ${r} LIMIT 1)`,
  (r) => `DELETE FROM customers WHERE ctid = (SELECT ctid FROM customers WHERE id IS NOT NULL ORDER BY id DESC OFFSET ${r} LIMIT 1)`,
  (r) => `INSERT INTO professions (name, specialty, category, is_active) VALUES ('Cerrajero ${r}', 'llaves', 'hogar', true)`,
  // A profession renamed into another's name: the groups merge and provider_professions remap.
  (r) => `UPDATE professions SET name = (SELECT name FROM professions WHERE name IS NOT NULL ORDER BY id LIMIT 1 OFFSET ${r}) WHERE id = (SELECT max(id) FROM professions WHERE name NOT LIKE 'Cerrajero%')`,
  (r) => `INSERT INTO provider_professions (provider_id, profession_id, specialty, experience_years, certifications, is_primary, verification_status)
            SELECT id, (SELECT max(id) FROM professions), 'nueva ${r}', ${r}, '["curso"]', false, 'verified' FROM users WHERE ${PROVIDER} ORDER BY id OFFSET ${20 + r} LIMIT 1`,
  (r) => `DELETE FROM provider_professions WHERE id = (SELECT id FROM provider_professions ORDER BY id OFFSET ${r} LIMIT 1)`,
  (r) => `INSERT INTO provider_services (id, provider_id, title, price, price_type, availability, is_active)
            SELECT md5('servicio ${r}')::uuid, id, 'Servicio ${r}', 25.5, 'fixed', '{"lunes": true}', true FROM users WHERE ${PROVIDER} ORDER BY id OFFSET ${30 + r} LIMIT 1`,
  (r) => `UPDATE provider_services SET price = ${r}99.99, price_type = 'hourly' WHERE id = (SELECT id FROM provider_services ORDER BY id OFFSET ${r} LIMIT 1)`,
  (r) => `DELETE FROM provider_services WHERE id = (SELECT id FROM provider_services ORDER BY id DESC OFFSET ${r} LIMIT 1)`,
  (r) => `INSERT INTO service_requests (phone_number, profession, location_city, suggested_providers) SELECT phone_number, 'plomería', 'Cuenca', '[]' FROM customers WHERE id IS NOT NULL ORDER BY id OFFSET ${r + 2} LIMIT 1`,
  (r) => `UPDATE service_requests SET profession = 'electricidad ${r}', resolved_at = now() WHERE id = (SELECT min(id) + ${r} FROM service_requests)`,
  (r) => `INSERT INTO messages (id, conversation_id, user_id, message_type, content, processing_status, metadata)
            SELECT md5('mensaje ${r} ' || g)::uuid, md5('conversación ${r}')::uuid, u.id, 'text', 'hola ' || g, 'pending', '{"n": ${r}}'
              FROM generate_series(1, 40) g, LATERAL (SELECT id FROM users ORDER BY id OFFSET (g * 7 + ${r}) % 90 LIMIT 1) u`,
  (r) => `UPDATE messages SET content = E'cambiado\\tcon tab ${r}', processing_status = 'completed' WHERE id = (SELECT id FROM messages ORDER BY id OFFSET ${r} LIMIT 1)`,
  (r) => `DELETE FROM messages WHERE id = (SELECT id FROM messages ORDER BY id DESC OFFSET ${r} LIMIT 1)`,
  (r) => `INSERT INTO sessions (id, user_id, session_id, status, session_data) SELECT md5('sesión ${r}')::uuid, id, 'ses-${r}', 'active', '{}' FROM users ORDER BY id OFFSET ${r} LIMIT 1`,
  (r) => `UPDATE sessions SET status = 'expired' WHERE id = (SELECT id FROM sessions ORDER BY id OFFSET ${r + 1} LIMIT 1)`,
  (r) => `DELETE FROM sessions WHERE id = (SELECT id FROM sessions ORDER BY id DESC OFFSET ${r} LIMIT 1)`,
  (r) => (r % 2 === 0 ? 'TRUNCATE task_queue' : 'SELECT 1'),
  (r) => `INSERT INTO task_queue (id, task_type, payload, status, priority) VALUES (md5('tarea ${r}')::uuid, 'reminder', '{"a": 1}', 'pending', ${r})`,
  (r) => `UPDATE task_queue SET status = 'completed', completed_at = now() WHERE id = (SELECT id FROM task_queue ORDER BY id OFFSET ${r} LIMIT 1)`,
];

/** Every write of a round, each its own transaction, as an application would. */
export async function writeRound(client: pg.ClientBase, round: number): Promise<void> {
  for (const write of WRITE_ROUNDS) await client.query(write(round));
}

/** The rows of every target table as text, sorted: two databases with the same rows compare equal. */
export async function targetRows(client: pg.ClientBase, tables: readonly string[]): Promise<Record<string, string[]>> {
  const rows: Record<string, string[]> = {};
  for (const table of tables) {
    const result = await client.query<{ r: string }>(`SELECT x::text AS r FROM "${table}" x ORDER BY 1`);
    rows[table] = result.rows.map((row) => row.r);
  }
  return rows;
}

/**
 * The application's writes: mostly messages inserted, some updated and deleted, sessions
 * touched, and now and then a user who changes phone (which makes the follower recompute
 * that user's messages and sessions).
 */
export class Writer {
  private n: number;
  private readonly inserted: string[] = [];
  writes = 0;

  /** `start`: where this writer's sequence begins, so that writers side by side insert other ids. */
  constructor(
    private readonly users: string[],
    private readonly sessions: string[],
    start = 0,
  ) {
    this.n = start;
  }

  next(): { sql: string; values: unknown[] } {
    const i = this.n++;
    const slot = i % 2000;
    const user = this.users[(i * 7919) % this.users.length]!;
    if (slot === 1999) return { sql: 'UPDATE users SET phone_number = $2, updated_at = now() WHERE id = $1', values: [user, `+5939${String(80000000 + (i % 19999999)).padStart(8, '0')}`] };
    const bucket = i % 100;
    if (bucket < 8 && this.inserted.length > 100) {
      return { sql: "UPDATE messages SET content = content || ' (editado)', processing_status = 'completed' WHERE id = $1", values: [this.inserted[(i * 31) % this.inserted.length]] };
    }
    if (bucket < 12 && this.inserted.length > 100) return { sql: 'DELETE FROM messages WHERE id = $1', values: [this.inserted.splice((i * 17) % this.inserted.length, 1)[0]] };
    if (bucket < 14) return { sql: "UPDATE sessions SET last_activity = now(), status = 'active' WHERE id = $1", values: [this.sessions[i % this.sessions.length]] };
    const id = `${(0x10000000 + i).toString(16)}-0000-4000-8000-${String(i).padStart(12, '0')}`;
    this.inserted.push(id);
    return { sql: "INSERT INTO messages (id, conversation_id, user_id, message_type, content, processing_status, metadata) VALUES ($1, $1, $2, 'text', 'carga de prueba', 'pending', '{}')", values: [id, user] };
  }

  async write(client: pg.Client): Promise<void> {
    const { sql, values } = this.next();
    await client.query(sql, values);
    this.writes++;
  }
}
