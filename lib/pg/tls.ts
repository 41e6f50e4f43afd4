import { accessSync, constants } from 'node:fs';
import type pg from 'pg';
import { parse, toClientConfig } from 'pg-connection-string';
import { CopiarError } from '../errors.js';

type Role = 'origen' | 'destino';

/** The URL's sslmode, spelled as libpq spells it (`no-verify` is node-postgres's name for `require`). */
function sslModeOf(url: URL): string | undefined {
  const mode = url.searchParams.get('sslmode') ?? undefined;
  if (mode === 'no-verify') return 'require';
  if (mode === 'allow') return 'prefer';
  return mode;
}

function checkReadable(file: string, role: Role): void {
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw new CopiarError('USO_INVALIDO', `No se puede leer el certificado raíz de la base de ${role} (${file}): dé la ruta de un fichero PEM que exista.`);
  }
}

/**
 * The URL as libpq reads it, with `ca` on top: `sslmode` means what it means to psql and
 * pg_dump (`require` encrypts, `verify-ca` checks the chain, `verify-full` the chain and
 * the host name), and a root certificate given always means "verify against it",
 * whatever the URL says; a URL that asks for no TLS together with one is refused.
 */
export function tlsUrl(url: string, ca: string | undefined, role: Role): URL {
  const parsed = new URL(url);
  const mode = sslModeOf(parsed);
  if (mode !== undefined) parsed.searchParams.set('sslmode', mode);
  if (ca === undefined) return parsed;
  if (mode === 'disable') {
    throw new CopiarError('USO_INVALIDO', `La URL de ${role} pide sslmode=disable (sin TLS), pero se dio un certificado raíz para verificarla: quite uno de los dos.`);
  }
  checkReadable(ca, role);
  parsed.searchParams.set('sslrootcert', ca);
  // libpq would not verify with `prefer`; a certificate given means verify: the chain
  // where the URL asked for less, the chain and the host name where it said nothing.
  if (mode === 'prefer' || mode === 'require') parsed.searchParams.set('sslmode', 'verify-ca');
  if (mode === undefined) parsed.searchParams.set('sslmode', 'verify-full');
  return parsed;
}

/** node-postgres' client config for the URL, with libpq's meaning of sslmode (tlsUrl). */
export function clientConfig(url: string, ca: string | undefined, role: Role): pg.ClientConfig {
  const parsed = tlsUrl(url, ca, role);
  const rootcert = parsed.searchParams.get('sslrootcert');
  if (rootcert !== null) checkReadable(rootcert, role);
  try {
    return toClientConfig(parse(parsed.toString(), { useLibpqCompat: true })) as pg.ClientConfig;
  } catch (error) {
    // verify-ca without a root certificate: libpq would refuse it too.
    throw new CopiarError('USO_INVALIDO', `La URL de ${role} pide sslmode=${sslModeOf(parsed)} sin certificado raíz: dé el del proveedor con --ssl-ca (o sslrootcert en la URL).`, { cause: error });
  }
}

/** sslmode=prefer: TLS when the server offers it, else in clear, as libpq does. */
export function fallsBackToClear(url: string): boolean {
  return sslModeOf(new URL(url)) === 'prefer';
}
