import { readFileSync } from 'node:fs';
import pg from 'pg';
import { CopiarError } from '../errors.js';
import { maskUrl, scrubSecrets } from './secrets.js';

export interface ConnectionOptions {
  url: string;
  /** PEM file with the provider's root certificate (hosted PostgreSQL). */
  sslCa?: string;
  /** Source sessions are read-only, so the tool cannot write to production by mistake. */
  readOnly?: boolean;
  role: 'origen' | 'destino';
}

export function validateUrl(url: string | undefined, role: 'origen' | 'destino'): string {
  if (!url) {
    throw new CopiarError('USO_INVALIDO', `Falta la base de ${role}: use --${role === 'origen' ? 'source' : 'target'} URL o la variable ${role === 'origen' ? 'SOURCE_DATABASE_URL' : 'TARGET_DATABASE_URL'} (o DATABASE_URL).`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CopiarError('USO_INVALIDO', `La URL de ${role} no es válida (${maskUrl(url)}): se espera postgres://usuario:clave@servidor:5432/base.`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new CopiarError('USO_INVALIDO', `La URL de ${role} debe empezar por postgres:// o postgresql://, se recibió ${maskUrl(url)}.`);
  }
  return url;
}

function describeConnectError(error: unknown, options: ConnectionOptions): CopiarError {
  const code = (error as { code?: string }).code;
  const where = maskUrl(options.url);
  let reason: string;
  switch (code) {
    case '28P01':
    case '28000':
      reason = 'usuario o contraseña rechazados; revise las credenciales de la URL';
      break;
    case '3D000':
      reason = 'la base de datos no existe; revise el nombre al final de la URL';
      break;
    case 'ECONNREFUSED':
      reason = 'el servidor rechazó la conexión; compruebe servidor y puerto';
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      reason = 'no se encontró el servidor; revise el nombre del host';
      break;
    case 'ETIMEDOUT':
      reason = 'el servidor no respondió a tiempo; revise red y cortafuegos';
      break;
    default:
      reason = scrubSecrets((error as Error).message ?? String(error), [options.url]);
  }
  return new CopiarError('CONEXION_FALLIDA', `No se pudo conectar a la base de ${options.role} ${where}: ${reason}.`, { cause: error });
}

/** Opens a session with the settings every copy relies on (encoding, dates, no timeouts). */
export async function connect(options: ConnectionOptions): Promise<pg.Client> {
  const ssl = options.sslCa ? { ca: readFileSync(options.sslCa, 'utf8'), rejectUnauthorized: true } : undefined;
  const client = new pg.Client({
    connectionString: options.url,
    ...(ssl ? { ssl } : {}),
    keepAlive: true,
    application_name: 'copiar-tablas',
    connectionTimeoutMillis: 15_000,
  });
  // A dropped connection surfaces on the query in flight; this only keeps an idle
  // client's error from crashing the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw describeConnectError(error, options);
  }
  await client.query(
    "SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, MDY'; SET extra_float_digits = 3; SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0" +
      (options.readOnly ? '; SET default_transaction_read_only = on' : ''),
  );
  return client;
}

export async function closeQuietly(client: pg.Client | undefined): Promise<void> {
  if (client === undefined) return;
  await client.end().catch(() => undefined);
}
