import path from 'node:path';
import yargs from 'yargs';
import { TABLE_NAMES } from '../transforms/index.js';
import { scrubSecrets, validateUrl } from './connection.js';
import { CopiarError } from './errors.js';
import { EventPrinter, type OutputMode } from './output.js';
import { backup } from './backup.js';
import { plan, renderPlan } from './plan.js';
import { rollback } from './rollback.js';
import { DEFAULT_CHUNK_ROWS, migrate, resolveTables } from './run.js';
import type { AnyTableSpec } from './spec.js';
import { verify, type TableCheck } from './verify.js';

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
  ['copiar-tablas plan', 'qué se hará, sin escribir nada'],
  ['copiar-tablas verify --table mensajes', 'compara el destino con lo que el origen debe producir'],
  ['copiar-tablas rollback --yes', 'borra lo que creó copiar-tablas'],
  ['copiar-tablas backup --out respaldos/', 'pg_dump de las tablas críticas del origen'],
];

/** --max-duration (90m, 2h, 1h30m, 45s) or --until (HH:MM, local time, the next such moment). */
export function stopDeadline(maxDuration: string | undefined, until: string | undefined, now = new Date()): { ms: number; label: string } | null {
  const candidates: { ms: number; label: string }[] = [];
  if (maxDuration !== undefined) {
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(maxDuration.trim());
    if (!match || maxDuration.trim() === '') throw new CopiarError('USO_INVALIDO', `--max-duration no se entiende: se recibió ${JSON.stringify(maxDuration)}; use por ejemplo 90m, 2h o 1h30m.`);
    const ms = ((Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0)) * 60 + Number(match[3] ?? 0)) * 1000;
    candidates.push({ ms, label: `--max-duration ${maxDuration}` });
  }
  if (until !== undefined) {
    const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(until.trim());
    if (!match) throw new CopiarError('USO_INVALIDO', `--until espera una hora HH:MM, se recibió ${JSON.stringify(until)}.`);
    const at = new Date(now);
    at.setHours(Number(match[1]), Number(match[2]), 0, 0);
    if (at.getTime() <= now.getTime()) at.setDate(at.getDate() + 1);
    candidates.push({ ms: at.getTime() - now.getTime(), label: `--until ${until}` });
  }
  if (candidates.length === 0) return null;
  return candidates.reduce((a, b) => (a.ms <= b.ms ? a : b));
}

function renderCheck(c: TableCheck): string {
  const head = `${c.ok ? 'OK   ' : 'FALLA'} ${c.table}: origen ${c.source_rows} = destino ${c.target_rows} + rechazadas ${c.rejected_rows}`;
  if (c.ok) return head;
  const samples = [
    c.sample_missing_ids.length > 0 ? `  faltan o difieren (ids): ${c.sample_missing_ids.join(', ')}` : '',
    c.sample_unexpected_ids.length > 0 ? `  sobran (ids): ${c.sample_unexpected_ids.join(', ')}` : '',
  ].filter(Boolean);
  return [head, ...c.problems.map((p) => `  - ${p}`), ...samples].join('\n');
}

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
      .usage('Uso: $0 [orden] [opciones]\n\nCopia las tablas heredadas (users, customers, messages, ...) al esquema en español por COPY, fila por fila según el contrato.')
      .command('$0', 'migra las tablas (por defecto las nueve, en orden de carga)')
      .command('plan', 'muestra qué se hará (permisos, filas estimadas, orden, avisos) sin escribir nada')
      .command('verify', 'comprueba el destino contra el origen: cuentas, contenido, teléfonos repetidos y huérfanos')
      .command('rollback', 'borra las tablas que creó copiar-tablas (y su esquema de estado); requiere --yes', (y) =>
        y.option('yes', { type: 'boolean', default: false, describe: 'confirma el borrado' }),
      )
      .command('backup', 'copia de seguridad de las tablas críticas del origen con pg_dump', (y) =>
        y.option('out', { type: 'string', demandOption: true, describe: 'carpeta donde dejar el volcado' }),
      )
      .strictCommands()
      .option('source', { type: 'string', describe: 'URL de la base de origen (o SOURCE_DATABASE_URL, o DATABASE_URL)' })
      .option('target', { type: 'string', describe: 'URL de la base de destino (o TARGET_DATABASE_URL, o DATABASE_URL)' })
      .option('table', { type: 'string', array: true, describe: `tabla de destino a migrar, repetible (por defecto las nueve): ${TABLE_NAMES.join(', ')}` })
      .option('report-dir', { type: 'string', describe: 'carpeta del informe (summary.json, rejects/); por defecto copiar-tablas-informes/<fecha>' })
      .option('jobs', { type: 'number', default: 1, describe: 'tablas copiadas a la vez, cada una con su par de conexiones (y tramos de una tabla grande a la vez)' })
      .option('ssl-ca', { type: 'string', describe: 'certificado raíz del proveedor (PEM) para TLS' })
      .option('resume', { type: 'boolean', default: false, describe: 'continúa la última ejecución sin terminar desde su último tramo guardado' })
      .option('chunk-rows', { alias: 'split-rows', type: 'number', default: DEFAULT_CHUNK_ROWS, describe: 'filas por tramo en las tablas grandes (cada tramo se guarda con su punto de control)' })
      .option('retries', { type: 'number', default: 3, describe: 'reintentos por tabla ante fallos pasajeros (conexión perdida, servidor reiniciando)' })
      .option('max-duration', { type: 'string', describe: 'se detiene limpiamente tras este tiempo (90m, 2h, 1h30m)' })
      .option('until', { type: 'string', describe: 'se detiene limpiamente a esta hora local (05:30)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'solo errores y el código de salida' })
      .option('json', { type: 'boolean', default: false, describe: 'un objeto JSON por evento en stdout' })
      .option('debug', { type: 'boolean', default: false, describe: 'muestra la traza completa de los errores' })
      .example(EXAMPLES)
      .epilog('Salida: 0 la migración terminó (aunque haya filas rechazadas); 1 una tabla no se pudo migrar o la ejecución se detuvo (lo guardado se conserva; continúe con --resume); 2 uso o configuración incorrectos, antes de escribir nada.')
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

    const command = String(argv._[0] ?? 'migrate');
    const sourceUrlOnly = (): string => {
      const url = validateUrl(argv.source ?? io.env.SOURCE_DATABASE_URL ?? io.env.DATABASE_URL, 'origen');
      secrets.push(url);
      return url;
    };
    const targetUrlOnly = (): string => {
      const url = validateUrl(argv.target ?? io.env.TARGET_DATABASE_URL ?? io.env.DATABASE_URL, 'destino');
      secrets.push(url);
      return url;
    };
    const connections = (): { sourceUrl: string; targetUrl: string } => ({ sourceUrl: sourceUrlOnly(), targetUrl: targetUrlOnly() });
    const selected = (): AnyTableSpec[] => resolveTables((argv.table ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean));
    const out = (text: string): void => void io.stdout.write(text + '\n');
    switch (command) {
      case 'plan': {
        const p = await plan({ ...connections(), specs: selected(), sslCa: argv['ssl-ca'] });
        out(argv.json ? JSON.stringify(p) : renderPlan(p));
        return p.problems.length === 0 ? 0 : 2;
      }
      case 'verify': {
        const checks = await verify({
          ...connections(),
          specs: selected(),
          sslCa: argv['ssl-ca'],
          onTable: (c) => {
            if (argv.json) out(JSON.stringify({ event: 'table_verified', ...c }));
            else if (!argv.quiet) out(renderCheck(c));
          },
        });
        const ok = checks.every((c) => c.ok);
        if (argv.json) out(JSON.stringify({ event: 'verify_done', ok }));
        else out(ok ? 'Todo cuadra: el destino es exactamente lo que el origen produce.' : `Hay diferencias en: ${checks.filter((c) => !c.ok).map((c) => c.table).join(', ')}.`);
        return ok ? 0 : 1;
      }
      case 'rollback': {
        const result = await rollback({ targetUrl: targetUrlOnly(), sslCa: argv['ssl-ca'], execute: argv.yes === true });
        const what = [...result.tables, ...(result.stateSchema ? ['esquema copiar_tablas'] : [])];
        if (argv.yes !== true) {
          out(what.length > 0 ? `Se borraría: ${what.join(', ')}. Repita con --yes para borrarlo.` : 'No hay nada creado por copiar-tablas que borrar.');
          return 2;
        }
        out(what.length > 0 ? `Borrado: ${what.join(', ')}.` : 'No había nada creado por copiar-tablas que borrar.');
        return 0;
      }
      case 'backup': {
        const file = await backup({ sourceUrl: sourceUrlOnly(), outDir: String(argv.out) });
        out(`Copia de seguridad: ${file}`);
        return 0;
      }
      default:
        break;
    }

    const jobs = argv.jobs;
    if (!Number.isInteger(jobs) || jobs < 1) throw new CopiarError('USO_INVALIDO', `--jobs debe ser un entero de 1 en adelante, se recibió ${String(jobs)}.`);
    const chunkRows = argv['chunk-rows'];
    if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new CopiarError('USO_INVALIDO', `--chunk-rows debe ser un entero de 1 en adelante, se recibió ${String(chunkRows)}.`);
    const retries = argv.retries;
    if (!Number.isInteger(retries) || retries < 0) throw new CopiarError('USO_INVALIDO', `--retries debe ser un entero de 0 en adelante, se recibió ${String(retries)}.`);
    const deadline = stopDeadline(argv['max-duration'], argv.until);
    const tables = selected().map((s) => s.target);
    const { sourceUrl, targetUrl } = connections();
    const stop = new AbortController();
    const onSignal = (signal: NodeJS.Signals): void => {
      if (!stop.signal.aborted) stop.abort(new CopiarError('DETENIDO', `detenido por la señal ${signal}`, { exitCode: 1 }));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const timer = deadline ? setTimeout(() => stop.abort(new CopiarError('DETENIDO', `detenido al llegar al límite (${deadline.label})`, { exitCode: 1 })), deadline.ms) : undefined;
    const mode: OutputMode = argv.json ? 'json' : argv.quiet ? 'quiet' : io.stderr.isTTY ? 'tty' : 'lines';
    const printer = new EventPrinter(mode, io.stdout, io.stderr);
    const summary = await migrate({
      sourceUrl,
      targetUrl,
      tables,
      reportDir: argv['report-dir'] ?? defaultReportDir(),
      jobs,
      sslCa: argv['ssl-ca'],
      resume: argv.resume,
      chunkRows,
      retries,
      signal: stop.signal,
      onEvent: printer.handle,
      progressIntervalMs: mode === 'tty' ? 500 : 5000,
    }).finally(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      clearTimeout(timer);
    });
    if (summary.stopped && !argv.json) {
      io.stderr.write(`copiar-tablas: ${(stop.signal.reason as Error).message}; lo copiado hasta el último tramo queda guardado; continúe con: copiar-tablas --resume\n`);
    }
    return summary.ok ? 0 : 1;
  } catch (error) {
    return fail(error);
  }
}
