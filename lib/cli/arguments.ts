import yargs from 'yargs';
import { CopiarError } from '../errors.js';
import { DEADLINE_RANGE_ROWS, DEFAULT_RANGE_ROWS, DEFAULT_RETRIES } from '../run/options.js';

const EXAMPLES: [string, string][] = [
  ['npx copiar-tablas --table mensajes', 'migra solo mensajes, con DATABASE_URL como origen y destino'],
  ['npx copiar-tablas --source postgres://lector@viejo/app --target postgres://admin@nuevo/app', 'migra las nueve tablas de una base a otra'],
  ['npx copiar-tablas --table clientes --table proveedores --report-dir informes/hoy', 'dos tablas, con el informe en una carpeta elegida'],
  ['npx copiar-tablas --jobs 2 --json > eventos.jsonl', 'dos copias a la vez, eventos en JSON para un script'],
  ['npx copiar-tablas plan', 'qué se hará, sin escribir nada'],
  ['npx copiar-tablas verify --table mensajes', 'compara el destino con lo que el origen debe producir'],
  ['npx copiar-tablas rollback --yes', 'borra lo que creó copiar-tablas'],
  ['npx copiar-tablas backup --out respaldos/', 'pg_dump de las tablas críticas del origen'],
];

function parser(argv: string[], tableNames: readonly string[]) {
  return yargs(argv)
    .scriptName('npx copiar-tablas')
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
    .option('table', { type: 'string', array: true, describe: `tabla de destino a migrar, repetible (por defecto las nueve): ${tableNames.join(', ')}` })
    .option('report-dir', { type: 'string', describe: 'carpeta del informe (summary.json, rejects/); por defecto copiar-tablas-informes/<fecha>' })
    .option('jobs', { type: 'number', default: 1, describe: 'copias a la vez: tablas, y tramos de una tabla grande, cada una con su par de conexiones' })
    .option('ssl-ca', { type: 'string', describe: 'certificado raíz del proveedor (PEM): TLS verificado contra él en las dos bases, diga lo que diga sslmode' })
    .option('source-ssl-ca', { type: 'string', describe: 'el certificado raíz solo para la base de origen' })
    .option('target-ssl-ca', { type: 'string', describe: 'el certificado raíz solo para la base de destino' })
    .option('replace', { type: 'boolean', default: false, describe: 'reemplaza también las filas que copiar-tablas no escribió en una tabla de destino (sin esto, la ejecución se niega)' })
    .option('resume', { type: 'boolean', default: false, describe: 'continúa la última ejecución sin terminar desde su último tramo guardado' })
    .option('range-rows', { alias: ['chunk-rows', 'split-rows'], type: 'number', describe: `filas por tramo en las tablas grandes, cada tramo con su punto de control (${DEFAULT_RANGE_ROWS.toLocaleString('es')}; con --max-duration o --until, ${DEADLINE_RANGE_ROWS.toLocaleString('es')})` })
    .option('retries', { type: 'number', default: DEFAULT_RETRIES, describe: 'reintentos por tabla ante fallos pasajeros (conexión perdida, servidor reiniciando)' })
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
    .showHelpOnFail(false)
    .fail((message, error) => {
      throw error ?? new CopiarError('USO_INVALIDO', `${message} (vea npx copiar-tablas --help).`);
    });
}

export type Arguments = Awaited<ReturnType<ReturnType<typeof parser>['parseAsync']>>;

/** The parsed arguments, or the help text when that is what was asked for. */
export async function parseArguments(argv: string[], tableNames: readonly string[]): Promise<{ help: string } | { args: Arguments }> {
  let help: string | null = null;
  const args = await parser(argv, tableNames).parseAsync(argv, {}, (_err, _argv, output) => {
    if (output) help = output;
  });
  return help !== null ? { help } : { args };
}

/** --table, repeatable and comma-separated; named but empty is a mistake, not "all". */
export function tableNamesFrom(args: Arguments): string[] {
  const names = (args.table ?? [])
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  if (args.table !== undefined && names.length === 0) {
    throw new CopiarError('USO_INVALIDO', `--table necesita el nombre de una tabla, se recibió ${JSON.stringify(args.table.join(','))}; sin --table se migran las nueve.`);
  }
  return names;
}
