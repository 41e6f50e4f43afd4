import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbedded, type EmbeddedServer } from '../../dev/embedded.js';

/** Why the TLS tests cannot run here, or null when they can. */
export const opensslMissing = spawnSync('openssl', ['version']).status === 0 ? null : 'openssl no está instalado';

export interface TlsServer extends EmbeddedServer {
  /** The root certificate that signed the server's certificate. */
  ca: string;
  /** Another root certificate, which did not. */
  wrongCa: string;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A root certificate and a server certificate for 127.0.0.1 and localhost, signed by it. */
function makeCertificates(dir: string): { ca: string; wrongCa: string; cert: string; key: string } {
  for (const name of ['ca', 'otra-ca']) {
    openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name} de prueba`, '-keyout', `${name}.key`, '-out', `${name}.crt`]);
  }
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName = IP:127.0.0.1, DNS:localhost\n');
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr']);
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'server.crt']);
  return { ca: path.join(dir, 'ca.crt'), wrongCa: path.join(dir, 'otra-ca.crt'), cert: path.join(dir, 'server.crt'), key: path.join(dir, 'server.key') };
}

/**
 * An embedded PostgreSQL with ssl=on that accepts TCP clients only over TLS (`hostssl`),
 * with certificates made here by openssl.
 */
export async function startTlsServer(t: Teardown): Promise<TlsServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tls-'));
  chmodSync(dir, 0o755);
  const files = makeCertificates(dir);
  const hba = path.join(dir, 'pg_hba.conf');
  writeFileSync(hba, 'local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n');
  // As root the server runs as `postgres`, which must own its key (mode 0600) and read the rest.
  if (process.getuid?.() === 0) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout);
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout);
    for (const file of [files.key, files.cert, hba]) chownSync(file, uid, gid);
  }
  chmodSync(files.key, 0o600);
  for (const file of [files.cert, hba, files.ca, files.wrongCa]) chmodSync(file, 0o644);
  const server = await startEmbedded({ flags: ['-c', 'ssl=on', '-c', `ssl_cert_file=${files.cert}`, '-c', `ssl_key_file=${files.key}`, '-c', `hba_file=${hba}`] });
  t.teardown(() => server.stop());
  return { ...server, ca: files.ca, wrongCa: files.wrongCa };
}
