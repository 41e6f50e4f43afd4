import yargs, { type Argv, type InferredOptionTypes, type Options } from 'yargs';
import { CopiarError } from '../errors.js';
import { DEADLINE_RANGE_ROWS, DEFAULT_RETRIES } from '../run/options.js';
import { TRIGGER_CHOICES } from '../schema/triggers.js';
import { toolVersion } from './version.js';

// Each command lists only the options that apply to it (strict: any other is refused),
// each with its examples; the connection options come first.

const CONNECTION = {
  source: { type: 'string', describe: 'URL de la base de origen (o SOURCE_DATABASE_URL, o DATABASE_URL)' },
  target: { type: 'string', describe: 'URL de la base de destino (o TARGET_DATABASE_URL, o DATABASE_URL)' },
  'ssl-ca': { type: 'string', describe: 'certificado raíz del proveedor (PEM): TLS verificado contra él, diga lo que diga sslmode' },
  'source-ssl-ca': { type: 'string', describe: 'el certificado raíz solo para la base de origen' },
  'target-ssl-ca': { type: 'string', describe: 'el certificado raíz solo para la base de destino' },
} as const satisfies Record<string, Options>;

const TABLES = (names: readonly string[]) =>
  ({ table: { type: 'string', array: true, describe: `tabla de destino, repetible (por defecto las nueve): ${names.join(', ')}` } }) as const satisfies Record<string, Options>;

const RUN = {
  'report-dir': { type: 'string', describe: 'carpeta del informe (summary.json, rejects/); por defecto copiar-tablas-informes/<fecha>' },
  jobs: { type: 'number', default: 1, describe: 'copias a la vez: tablas, y tramos de una tabla grande, cada una con su par de conexiones' },
  replace: { type: 'boolean', default: false, describe: 'reemplaza también las filas que copiar-tablas no escribió en una tabla de destino (sin esto, la ejecución se niega)' },
  triggers: {
    type: 'string',
    choices: TRIGGER_CHOICES,
    describe: 'si el destino tiene disparadores: skip no los ejecuta para las filas migradas (siguen activos para la aplicación), fire los ejecuta con cada fila; sin esto, la ejecución se niega',
  },
  resume: { type: 'boolean', default: false, describe: 'continúa la última ejecución sin terminar desde su último tramo guardado' },
  'range-rows': {
    alias: ['chunk-rows', 'split-rows'],
    type: 'number',
    describe: `filas por tramo, cada tramo con su punto de control, para que una parada conserve los tramos confirmados (con --max-duration o --until, ${DEADLINE_RANGE_ROWS.toLocaleString('es')}; sin ellas, cada tabla en una sola transacción con COPY FREEZE, más rápido)`,
  },
  retries: { type: 'number', default: DEFAULT_RETRIES, describe: 'reintentos por tabla ante fallos pasajeros (conexión perdida, servidor reiniciando)' },
  'max-duration': { type: 'string', describe: 'se detiene limpiamente tras este tiempo (90m, 2h, 1h30m)' },
  until: { type: 'string', describe: 'se detiene limpiamente a esta hora local (05:30)' },
  quiet: { type: 'boolean', default: false, describe: 'solo errores y el código de salida' },
  follow: {
    type: 'boolean',
    default: false,
    describe: 'tras la copia sigue aplicando los cambios del origen (slot de replicación copiar_tablas) hasta Ctrl-C, --until o --max-duration; se termina con cutover',
  },
} as const satisfies Record<string, Options>;

const OUTPUT = {
  json: { type: 'boolean', default: false, describe: 'un objeto JSON por línea en stdout (docs/contract.md)' },
  debug: { type: 'boolean', default: false, describe: 'muestra la traza completa de los errores' },
} as const satisfies Record<string, Options>;

const CUTOVER = { verify: { type: 'boolean', default: false, describe: 'además compara cada fila con verify antes de borrar el slot' } } as const satisfies Record<string, Options>;
const ROLLBACK = { yes: { type: 'boolean', default: false, describe: 'confirma el borrado' } } as const satisfies Record<string, Options>;
const BACKUP = { out: { type: 'string', demandOption: true, describe: 'carpeta donde dejar el volcado' } } as const satisfies Record<string, Options>;

function pick<T extends Record<string, Options>, K extends keyof T>(options: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, options[k]])) as Pick<T, K>;
}

const SOURCE_SIDE = ['source', 'ssl-ca', 'source-ssl-ca'] as const;
const TARGET_SIDE = ['target', 'ssl-ca', 'target-ssl-ca'] as const;

type AllOptions = typeof CONNECTION & ReturnType<typeof TABLES> & typeof RUN & typeof OUTPUT & typeof ROLLBACK & typeof BACKUP & typeof CUTOVER;
export type Arguments = InferredOptionTypes<AllOptions> & { _: (string | number)[]; $0: string };

function command(y: Argv, groups: [string, Record<string, Options>][], examples: [string, string][]): Argv {
  let built = y;
  for (const [title, options] of groups) built = built.options(options).group(Object.keys(options), title);
  return built.example(examples);
}

const COMMANDS = ['plan', 'verify', 'status', 'cutover', 'rollback', 'backup'];

function parser(argv: string[], tableNames: readonly string[]) {
  const tables = TABLES(tableNames);
  const helpFor = `npx copiar-tablas ${COMMANDS.includes(argv[0] ?? '') ? `${argv[0]} ` : ''}--help`;
  return yargs(argv)
    .scriptName('npx copiar-tablas')
    .locale('es')
    .usage('Uso: $0 [orden] [opciones]\n\nCopia las tablas heredadas (users, customers, messages, ...) al esquema en español por COPY, fila por fila según el contrato.')
    .command('$0', 'migra las tablas (por defecto las nueve, en orden de carga)', (y) =>
      command(y, [['Conexión:', CONNECTION], ['Tablas:', tables], ['Ejecución:', RUN], ['Salida:', OUTPUT]], [
        ['npx copiar-tablas --table mensajes', 'migra solo mensajes, con DATABASE_URL como origen y destino'],
        ['npx copiar-tablas --source postgres://lector@viejo/app --target postgres://admin@nuevo/app', 'las nueve tablas de una base a otra'],
        ['npx copiar-tablas --until 05:30', 'se detiene a las 05:30 guardando lo copiado; se continúa con --resume'],
        ['npx copiar-tablas --resume', 'continúa la última ejecución sin terminar'],
        ['npx copiar-tablas --jobs 2 --json > eventos.jsonl', 'dos copias a la vez, eventos en JSON para un script'],
        ['npx copiar-tablas --follow', 'copia y sigue aplicando los cambios del origen, sin detener la aplicación; luego cutover'],
      ]),
    )
    .command('cutover', 'con las escrituras de la aplicación detenidas: aplica los últimos cambios seguidos, comprueba y borra el slot', (y) =>
      command(y, [['Conexión:', CONNECTION], ['Comprobación:', CUTOVER], ['Salida:', { ...pick(RUN, ['quiet']), ...OUTPUT }]], [
        ['npx copiar-tablas cutover', 'aplica hasta la posición actual del origen, compara las cuentas y borra slot y publicación'],
        ['npx copiar-tablas cutover --verify', 'además compara cada fila antes de borrar el slot'],
      ]),
    )
    .command('plan', 'muestra qué se hará (permisos, filas estimadas, orden, avisos) sin escribir nada', (y) =>
      command(y, [['Conexión:', CONNECTION], ['Tablas:', tables], ['Ejecución:', pick(RUN, ['replace', 'triggers', 'follow'])], ['Salida:', OUTPUT]], [
        ['npx copiar-tablas plan', 'qué haría la migración de las nueve tablas'],
        ['npx copiar-tablas plan --follow', 'además, si el origen permite seguir sus cambios (wal_level, REPLICATION, identidad de réplica)'],
      ]),
    )
    .command('verify', 'comprueba el destino contra el origen: cuentas, contenido, teléfonos repetidos y huérfanos', (y) =>
      command(y, [['Conexión:', CONNECTION], ['Tablas:', tables], ['Salida:', { ...pick(RUN, ['quiet']), ...OUTPUT }]], [['npx copiar-tablas verify --table mensajes', 'compara mensajes del destino con lo que el origen debe producir']]),
    )
    .command('status', 'el estado de la última ejecución, leído en la base de destino (desde otra terminal)', (y) =>
      command(y, [['Conexión:', pick(CONNECTION, TARGET_SIDE)], ['Salida:', OUTPUT]], [['npx copiar-tablas status', 'tablas terminadas, tramos, filas y tiempo restante']]),
    )
    .command('rollback', 'borra las tablas que creó copiar-tablas (y su esquema de estado; con el origen, el slot y la publicación de --follow); requiere --yes', (y) =>
      command(y, [['Confirmación:', ROLLBACK], ['Conexión:', CONNECTION], ['Salida:', OUTPUT]], [
        ['npx copiar-tablas rollback', 'dice qué borraría, sin borrar'],
        ['npx copiar-tablas rollback --yes', 'lo borra'],
      ]),
    )
    .command('backup', 'copia de seguridad de las tablas que lee la migración, del origen, con pg_dump', (y) =>
      command(y, [['Obligatorio:', BACKUP], ['Conexión:', pick(CONNECTION, SOURCE_SIDE)], ['Salida:', OUTPUT]], [['npx copiar-tablas backup --out respaldos/', 'pg_dump de las tablas de origen']]),
    )
    .strictCommands()
    .epilog('Salida: 0 terminó (aunque haya filas rechazadas); 1 una tabla no se pudo migrar o la ejecución se detuvo (lo guardado se conserva; continúe con --resume); 2 uso o configuración incorrectos, antes de escribir nada. Ayuda de cada orden: npx copiar-tablas <orden> --help.')
    .strict()
    .help('help')
    .alias('help', 'h')
    .version('version', 'muestra la versión', toolVersion())
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    .showHelpOnFail(false)
    .fail((message, error) => {
      throw error ?? new CopiarError('USO_INVALIDO', `${message} (vea ${helpFor}).`);
    });
}

/** The parsed arguments, or the help or version text when that is what was asked for. */
export async function parseArguments(argv: string[], tableNames: readonly string[]): Promise<{ help: string } | { args: Arguments }> {
  let help: string | null = null;
  const args = await parser(argv, tableNames).parseAsync(argv, {}, (_err, _argv, output) => {
    if (output) help = output;
  });
  return help !== null ? { help } : { args: args as unknown as Arguments };
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
