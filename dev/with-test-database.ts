// `npm test`: runs tap against TEST_DATABASE_URL when it is set, otherwise against one
// embedded PostgreSQL started for the whole run (each test file makes its own database).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { THROWAWAY_FLAGS, startEmbedded, type EmbeddedServer } from './embedded.js';

const args = process.argv.slice(2);
const command = args.shift() ?? 'tap';
let server: EmbeddedServer | undefined;
const env = { ...process.env };
if (!env.TEST_DATABASE_URL) {
  server = await startEmbedded({ flags: THROWAWAY_FLAGS });
  env.TEST_DATABASE_URL = server.url;
  process.stderr.write(`PostgreSQL embebido para las pruebas en el puerto ${server.port}\n`);
}
const require = createRequire(import.meta.url);
const bin = command === 'tap' ? path.join(path.dirname(require.resolve('tap/package.json')), 'dist/esm/run.mjs') : command;
const child = spawn(process.execPath, [bin, ...args], { stdio: 'inherit', env });
const stop = (): void => {
  child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
const code: number = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await server?.stop();
process.exit(code);
