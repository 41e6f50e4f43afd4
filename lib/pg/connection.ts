import pg from 'pg';
import { CopiarError } from '../errors.js';
import { sharesServerConnections } from './pooler.js';
import { maskUrl, scrubSecrets } from './secrets.js';
import { clientConfig, fallsBackToClear } from './tls.js';

/** Where a database is: its URL, and the root certificate its TLS is verified against. */
export interface Endpoint {
  url: string;
  /** PEM file with the provider's root certificate (hosted PostgreSQL). */
  sslCa?: string;
}

export interface ConnectionOptions extends Endpoint {
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
    // A password with #, / or @ written as is cuts the URL in the wrong place.
    const userinfo = /^[a-z]+:\/\/(.*)@/i.exec(url)?.[1] ?? '';
    const hint = /[#/?@]/.test(userinfo) ? ' Si la contraseña tiene #, /, ? o @, escríbalos %23, %2F, %3F y %40.' : '';
    throw new CopiarError('USO_INVALIDO', `La URL de ${role} no es válida (${maskUrl(url)}): se espera postgres://usuario:clave@servidor:5432/base.${hint}`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new CopiarError('USO_INVALIDO', `La URL de ${role} debe empezar por postgres:// o postgresql://, se recibió ${maskUrl(url)}.`);
  }
  return url;
}

const TLS_VERIFY_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function describeConnectError(error: unknown, options: ConnectionOptions): CopiarError {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? String(error);
  const where = maskUrl(options.url);
  let reason: string;
  switch (code) {
    case '28P01':
    case '28000':
      // pg_hba.conf allows this client only with TLS ("hostssl"): not a password problem.
      reason = /no encryption/i.test(message)
        ? 'el servidor solo acepta conexiones cifradas; añada ?sslmode=verify-full a la URL con --ssl-ca <certificado raíz del proveedor> (o ?sslmode=require para cifrar sin verificar)'
        : 'usuario o contraseña rechazados; revise las credenciales de la URL';
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
      if (code !== undefined && TLS_VERIFY_CODES.has(code)) {
        reason = `el certificado del servidor no se pudo verificar (${code})${options.sslCa ? ` con ${options.sslCa}` : ''}; dé el certificado raíz del proveedor con --ssl-ca`;
      } else if (/timeout expired|connection timeout/i.test(message)) {
        reason = 'no respondió como PostgreSQL en 15 s; compruebe el puerto (5432 para la conexión directa o el pooler en modo sesión)';
      } else if (/does not support SSL/i.test(message)) {
        reason = 'el servidor no acepta TLS; quite sslmode de la URL (o use sslmode=prefer) si la red es de confianza';
      } else {
        reason = scrubSecrets(message, [options.url]);
      }
  }
  return new CopiarError('CONEXION_FALLIDA', `No se pudo conectar a la base de ${options.role} ${where}: ${reason}.`, { cause: error });
}

/** A connected client with nothing set on its session yet. */
async function openBare(options: ConnectionOptions): Promise<pg.Client> {
  const config = clientConfig(options.url, options.sslCa, options.role);
  try {
    return await tryConnect(config);
  } catch (error) {
    // sslmode=prefer: in clear when the server offers no TLS, as libpq does.
    if (/does not support SSL/i.test((error as Error).message) && fallsBackToClear(options.url)) {
      return tryConnect({ ...config, ssl: false }).catch((again: unknown) => {
        throw describeConnectError(again, options);
      });
    }
    throw describeConnectError(error, options);
  }
}

async function tryConnect(config: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client({ ...config, keepAlive: true, application_name: 'copiar-tablas', connectionTimeoutMillis: 15_000 });
  // A dropped connection surfaces on the query in flight; this only keeps an idle
  // client's error from crashing the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

// Each URL is probed once per process: its first session asks, the others know.
const probed = new Map<string, Promise<boolean>>();

async function refuseTransactionPooler(client: pg.Client, options: ConnectionOptions): Promise<void> {
  let answer = probed.get(options.url);
  if (answer === undefined) {
    answer = sharesServerConnections(client, () => openBare(options));
    probed.set(options.url, answer);
    answer.catch(() => probed.delete(options.url));
  }
  if (!(await answer)) return;
  throw new CopiarError(
    'POOLER_TRANSACCIONES',
    `La base de ${options.role} ${maskUrl(options.url)} pasa por un pooler en modo transacción (PgBouncer o Supavisor con pool_mode = transaction, como el puerto 6543 de Supabase): cada transacción puede ir a otra conexión del servidor, y lo que copiar-tablas fija en su sesión quedaría en conexiones que usa la aplicación. Use la conexión directa (db.<proyecto>.supabase.co:5432) o el pooler en modo sesión (puerto 5432).`,
  );
}

/**
 * Opens a session with the settings every copy relies on (encoding, dates, no timeouts),
 * after making sure the session is really one: a transaction-mode pooler is refused
 * before anything is set on it.
 */
export async function connect(options: ConnectionOptions): Promise<pg.Client> {
  const client = await openBare(options);
  try {
    await refuseTransactionPooler(client, options);
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  await client.query(
    "SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, MDY'; SET extra_float_digits = 3; SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0" +
      (options.readOnly ? '; SET default_transaction_read_only = on' : ''),
  );
  return client;
}

/**
 * Sessions opened at once (on a hosted server each costs a TLS handshake and the
 * password's exchange, a few round trips): all of them, or none, the first error thrown.
 */
export async function connectAll(options: readonly ConnectionOptions[]): Promise<pg.Client[]> {
  const opened = await Promise.allSettled(options.map((option) => connect(option)));
  const failed = opened.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  const clients = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  if (failed === undefined) return clients;
  await Promise.all(clients.map((client) => closeQuietly(client)));
  throw failed.reason;
}

/**
 * A logical replication connection (walsender) to the source, for the follow mode: it
 * creates the slot and streams its changes. Nothing is set on it; the URL was already
 * checked by a normal session (a pooler cannot carry replication).
 */
export async function openReplication(endpoint: Endpoint): Promise<pg.Client> {
  const options: ConnectionOptions = { ...endpoint, role: 'origen' };
  try {
    return await tryConnect({ ...clientConfig(options.url, options.sslCa, options.role), replication: 'database' } as pg.ClientConfig);
  } catch (error) {
    throw describeConnectError(error, options);
  }
}

export async function closeQuietly(client: pg.Client | undefined): Promise<void> {
  if (client === undefined) return;
  await client.end().catch(() => undefined);
}
