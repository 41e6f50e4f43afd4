// TLS as psql and pg_dump mean it, against a real server that accepts clients only over
// TLS (hostssl), with certificates made by openssl: --ssl-ca always means "verify
// against this CA", whatever sslmode says; each side can have its own.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { withDatabaseName } from '../dev/embedded.js';
import { pgDumpVersion } from '../lib/ops/backup.js';
import { runCli } from './helpers/cli.js';
import { LEGACY_SQL, freshDatabase } from './helpers/database.js';
import { DIRTY_FIXTURE_SQL } from './helpers/fixture.js';
import { opensslMissing, startTlsServer, type TlsServer } from './helpers/tls-server.js';

const report = () => ['--report-dir', mkdtempSync(path.join(tmpdir(), 'tls-'))];

async function legacyOverTls(server: TlsServer): Promise<string> {
  const admin = new pg.Client({ connectionString: server.url, ssl: { ca: readFileSync(server.ca, 'utf8') } });
  await admin.connect();
  await admin.query('CREATE DATABASE legado');
  await admin.end();
  const url = withDatabaseName(server.url, 'legado');
  const client = new pg.Client({ connectionString: url, ssl: { ca: readFileSync(server.ca, 'utf8') } });
  await client.connect();
  await client.query(LEGACY_SQL);
  await client.query(DIRTY_FIXTURE_SQL);
  await client.end();
  return url;
}

const withMode = (url: string, mode: string): string => `${url}?sslmode=${mode}`;

t.test('sslmode and --ssl-ca against a TLS-only server', { skip: opensslMissing ?? false }, async (t) => {
  const server = await startTlsServer(t);
  const url = await legacyOverTls(server);
  const plan = (env: Record<string, string>, ...flags: string[]) => runCli(['plan', '--table', 'profesiones', ...flags], env);

  const clear = await plan({ DATABASE_URL: url });
  t.equal(clear.code, 2);
  t.match(clear.stderr, /el servidor solo acepta conexiones cifradas; añada \?sslmode=verify-full/, 'sin TLS: no es una contraseña equivocada');
  t.notMatch(clear.stderr, /contraseña/);

  const provider = await plan({ DATABASE_URL: withMode(url, 'require') }, '--ssl-ca', server.ca);
  t.equal(provider.code, 0, `sslmode=require con el certificado del proveedor: ${provider.stderr}`);
  t.notMatch(provider.stderr + provider.stdout, /SECURITY WARNING/);

  const encryptOnly = await plan({ DATABASE_URL: withMode(url, 'require') });
  t.equal(encryptOnly.code, 0, `sslmode=require sin certificado cifra sin verificar, como libpq: ${encryptOnly.stderr}`);
  t.notMatch(encryptOnly.stderr, /SECURITY WARNING/);

  const wrong = await plan({ DATABASE_URL: withMode(url, 'no-verify') }, '--ssl-ca', server.wrongCa);
  t.equal(wrong.code, 2, 'un certificado equivocado no se pasa por alto');
  t.match(wrong.stderr, /el certificado del servidor no se pudo verificar \(\w+\) con .*otra-ca\.crt/);

  const unverifiable = await plan({ DATABASE_URL: withMode(url, 'verify-full') });
  t.equal(unverifiable.code, 2, 'verify-full sin el certificado raíz no se conecta');
  t.match(unverifiable.stderr, /no se pudo verificar/);

  const full = await plan({ DATABASE_URL: withMode(url, 'verify-full') }, '--ssl-ca', server.ca);
  t.equal(full.code, 0, full.stderr);

  const disabled = await plan({ DATABASE_URL: withMode(url, 'disable') }, '--ssl-ca', server.ca);
  t.equal(disabled.code, 2);
  t.match(disabled.stderr, /La URL de origen pide sslmode=disable \(sin TLS\), pero se dio un certificado raíz/);

  const missingFile = await plan({ DATABASE_URL: url }, '--ssl-ca', '/no/existe.pem');
  t.equal(missingFile.code, 2);
  t.match(missingFile.stderr, /No se puede leer el certificado raíz de la base de origen \(\/no\/existe\.pem\)/);
  t.notMatch(missingFile.stderr, /ENOENT/);
});

t.test('each side has its own TLS: a hosted source and a local target without TLS', { skip: opensslMissing ?? false }, async (t) => {
  const server = await startTlsServer(t);
  const source = await legacyOverTls(server);
  const target = await freshDatabase(t);
  const both = await runCli(['--table', 'profesiones', '--ssl-ca', server.ca, ...report()], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  t.equal(both.code, 2, '--ssl-ca vale para las dos bases: el destino sin TLS no se acepta');
  const own = await runCli(['--table', 'profesiones', '--source-ssl-ca', server.ca, ...report()], { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target });
  t.equal(own.code, 0, own.stderr);
});

t.test('backup gives pg_dump the same TLS choice', { skip: opensslMissing ?? (pgDumpVersion() === null ? 'pg_dump no está instalado (paquete postgresql-client)' : false) }, async (t) => {
  const server = await startTlsServer(t);
  const url = await legacyOverTls(server);
  const r = await runCli(['backup', '--out', mkdtempSync(path.join(tmpdir(), 'respaldo-tls-')), '--ssl-ca', server.ca], { DATABASE_URL: url });
  // pg_dump got past TLS with verify-full and this root certificate: it dumped, or it
  // refused the server's newer version, which it can only learn once connected.
  if (r.code === 0) t.match(r.stdout, /Copia de seguridad: /);
  else t.match(r.stderr, /server version mismatch/);
  t.notMatch(r.stderr, /certificate|SSL|no encryption/i);
});
