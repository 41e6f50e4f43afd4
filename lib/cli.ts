import path from 'node:path';
import yargs from 'yargs';
import { TABLE_NAMES } from '../transforms/index.js';
import { scrubSecrets, validateUrl } from './connection.js';
import { CopiarError } from './errors.js';
import { EventPrinter, type OutputMode } from './output.js';
import { migrate, resolveTables } from './run.js';

export interface CliIO {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

function defaultReportDir(now = new Date()): string {
  const stamp = now.toISOString().replace(/[:]/g, '-').replace(/\..*/, '');
  return path.join('copiar-tablas-informes', stamp);
}

const EXAMPLES: [string, string][] = [
  ['copiar-tablas --table mensajes', 'migra solo mensajes, con DATABASE_URL como origen y destino'],
  ['copiar-tablas --source postgres://lector@viejo/app --target postgres://admin@nuevo/app', 'migra las nueve tablas de una base a otra'],
  ['copiar-tablas --table clientes --table proveedores --report-dir informes/hoy', 'dos tablas, con el informe en una carpeta elegida'],
  ['copiar-tablas --jobs 2 --json > eventos.jsonl', 'dos tablas a la vez, eventos en JSON para un script'],
];

/** Runs the CLI and returns its exit status; never throws. */
export async function main(io: CliIO): Promise<number> {
  const secrets = [io.env.DATABASE_URL, io.env.SOURCE_DATABASE_URL, io.env.TARGET_DATABASE_URL];
  let debug = io.argv.includes('--debug');
  const fail = (error: unknown): number => {
    const known = error instanceof CopiarError;
    const message = scrubSecrets(error instanceof Error ? error.message : String(error), secrets);
    io.stderr.write(`copiar-tablas: ${message}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr.write(scrubSecrets(error.stack, secrets) + '\n');
    return known ? error.exitCode : 1;
  };
  try {
    const parser = yargs(io.argv)
      .scriptName('copiar-tablas')
      .locale('es')
      .usage('Uso: $0 [opciones]\n\nCopia las tablas heredadas (users, customers, messages, ...) al esquema en español por COPY, fila por fila según el contrato.')
      .option('source', { type: 'string', describe: 'URL de la base de origen (o SOURCE_DATABASE_URL, o DATABASE_URL)' })
      .option('target', { type: 'string', describe: 'URL de la base de destino (o TARGET_DATABASE_URL, o DATABASE_URL)' })
      .option('table', { type: 'string', array: true, describe: `tabla de destino a migrar, repetible (por defecto las nueve): ${TABLE_NAMES.join(', ')}` })
      .option('report-dir', { type: 'string', describe: 'carpeta del informe (summary.json, rejects/); por defecto copiar-tablas-informes/<fecha>' })
      .option('jobs', { type: 'number', default: 1, describe: 'tablas copiadas a la vez, cada una con su par de conexiones' })
      .option('ssl-ca', { type: 'string', describe: 'certificado raíz del proveedor (PEM) para TLS' })
      .option('quiet', { type: 'boolean', default: false, describe: 'solo errores y el código de salida' })
      .option('json', { type: 'boolean', default: false, describe: 'un objeto JSON por evento en stdout' })
      .option('debug', { type: 'boolean', default: false, describe: 'muestra la traza completa de los errores' })
      .example(EXAMPLES)
      .epilog('Salida: 0 la migración terminó (aunque haya filas rechazadas); 1 una tabla no se pudo migrar; 2 uso o configuración incorrectos, antes de escribir nada.')
      .strict()
      .help('help')
      .alias('help', 'h')
      .version(false)
      .wrap(Math.min(110, process.stdout.columns ?? 100))
      .exitProcess(false)
      .fail((message, error) => {
        throw error ?? new CopiarError('USO_INVALIDO', `${message} (vea copiar-tablas --help).`);
      });
    let helpShown = false;
    parser.showHelpOnFail(false);
    const argv = await parser.parseAsync(io.argv, {}, (_err, _argv, output) => {
      if (output) {
        helpShown = true;
        io.stdout.write(output + '\n');
      }
    });
    if (helpShown || argv.help) return 0;
    debug = argv.debug;

    const jobs = argv.jobs;
    if (!Number.isInteger(jobs) || jobs < 1) throw new CopiarError('USO_INVALIDO', `--jobs debe ser un entero de 1 en adelante, se recibió ${String(jobs)}.`);
    const tables = (argv.table ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
    resolveTables(tables);
    const sourceUrl = validateUrl(argv.source ?? io.env.SOURCE_DATABASE_URL ?? io.env.DATABASE_URL, 'origen');
    const targetUrl = validateUrl(argv.target ?? io.env.TARGET_DATABASE_URL ?? io.env.DATABASE_URL, 'destino');
    secrets.push(sourceUrl, targetUrl);
    const mode: OutputMode = argv.json ? 'json' : argv.quiet ? 'quiet' : io.stderr.isTTY ? 'tty' : 'lines';
    const printer = new EventPrinter(mode, io.stdout, io.stderr);
    const summary = await migrate({
      sourceUrl,
      targetUrl,
      tables,
      reportDir: argv['report-dir'] ?? defaultReportDir(),
      jobs,
      sslCa: argv['ssl-ca'],
      onEvent: printer.handle,
      progressIntervalMs: mode === 'tty' ? 500 : 5000,
    });
    return summary.ok ? 0 : 1;
  } catch (error) {
    return fail(error);
  }
}
