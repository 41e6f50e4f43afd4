import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCli } from './helpers/cli.js';
import { freshDatabase, serverUrl } from './helpers/database.js';
import { generatedLegacyDatabase } from './helpers/generated.js';
import { startTripCounter, throughCounter, type SeenConnection } from './helpers/round-trips.js';

const ALL_TABLES = ['profesiones', 'clientes', 'proveedores', 'proveedor_profesiones', 'servicios_proveedor', 'solicitudes_servicio', 'mensajes', 'sesiones', 'tareas_programadas'];

const databaseOf = (url: string): string => decodeURIComponent(new URL(url).pathname.slice(1));

/** The statements between taking the run lock and recording the run: one per round trip. */
function checks(session: SeenConnection): string[] {
  const from = session.statements.findIndex((sql) => /pg_try_advisory_lock/.test(sql));
  const to = session.statements.findIndex((sql) => /INSERT INTO copiar_tablas\.ejecuciones/.test(sql));
  return session.statements.slice(from + 1, to);
}

t.test('round trips on a hosted server: the checks cost as many for nine tables as for one, each table a fixed few, and the tables share their sessions', async (t) => {
  const source = await generatedLegacyDatabase(t, 2_000);
  const counter = await startTripCounter(t, serverUrl());
  const run = async (tables: string[], into?: string): Promise<{ source: SeenConnection[]; target: SeenConnection[]; url: string }> => {
    const target = into ?? (await freshDatabase(t));
    const first = counter.connections.length;
    const report = mkdtempSync(path.join(tmpdir(), 'idas-'));
    const r = await runCli(['--report-dir', report, ...tables.flatMap((table) => ['--table', table])], {
      SOURCE_DATABASE_URL: throughCounter(source, counter),
      TARGET_DATABASE_URL: throughCounter(target, counter),
    });
    if (r.code !== 0) t.comment(r.stderr);
    t.equal(r.code, 0, `${tables.length} tables migrated`);
    const seen = counter.connections.slice(first);
    return { source: seen.filter((c) => c.database === databaseOf(source)), target: seen.filter((c) => c.database === databaseOf(target)), url: target };
  };
  const one = await run(['profesiones']);
  const nine = await run(ALL_TABLES);
  // The same nine again, into the target the last run filled: its state and tables are there to read.
  const again = await run(ALL_TABLES, nine.url);
  // Each side's first session is the run's own (the snapshot's, the run lock's); the next
  // one is the pooler check's, opened and closed at once; then a pair per table.
  const [coordinatorOne, coordinatorNine] = [one.source[0]!, nine.source[0]!];
  const [lockOne, lockNine] = [one.target[0]!, nine.target[0]!];
  t.ok(coordinatorOne.statements.some((sql) => /pg_export_snapshot/.test(sql)), 'the counter reads the snapshot session');
  t.ok(lockOne.statements.some((sql) => /pg_try_advisory_lock/.test(sql)), 'the counter reads the run lock session');
  // Before: 9 and 25 round trips on the snapshot's session, 30 and 105 on the run lock's.
  t.equal(coordinatorNine.trips, coordinatorOne.trips, `the source's checks and estimates: ${coordinatorOne.trips} round trips for one table and for nine`);
  t.equal(lockNine.trips - lockOne.trips, ALL_TABLES.length - 1, `the target's checks, state and table creation: one round trip more per table (its state), ${lockOne.trips} and ${lockNine.trips}`);
  // Before: 10 on an empty target (a query per check; the state schema, BEGIN, the new
  // tables and COMMIT apart), 8 on a filled one.
  t.equal(checks(lockOne).length, 2, 'an empty target: the catalog in one trip, then the state schema and the new tables in one');
  t.equal(checks(lockNine).length, 2, 'the same for nine tables');
  const filled = checks(again.target[0]!);
  t.equal(filled.length, 3, "a filled target: the catalog, then the tool's state and the tables' rows, then the state schema");
  t.match(filled[1], /tablas_creadas.*EXISTS \(SELECT 1 FROM "mensajes"\)/s, "the tool's state and the rows of the nine tables are read in one trip");
  // Before: a target session per table, 27–37 round trips each (a statement per lock,
  // drop, key and index), and a new source session per table.
  const tableSessions = nine.target.slice(2);
  t.equal(tableSessions.length, 1, 'one target session for the tables, handed from each to the next');
  t.equal(nine.source.length - 2, 1, 'one source session in the snapshot, handed on likewise');
  const perTable = tableSessions.reduce((sum, session) => sum + session.trips, 0) / ALL_TABLES.length;
  t.ok(perTable <= 13, `${perTable.toFixed(1)} round trips per table on the target, at most 13`);
  t.ok(
    tableSessions[0]!.statements.some((sql) => /^SAVEPOINT copiar_tablas_bloqueos;\n.*LOCK TABLE/s.test(sql)),
    'the lock and its savepoint go in one trip',
  );
});

t.test('round trips: a child table run alone reads whether its parents hold rows in the checks it already makes, not in trips of its own', async (t) => {
  const source = await generatedLegacyDatabase(t, 2_000);
  const target = await freshDatabase(t);
  const counter = await startTripCounter(t, serverUrl());
  const env = { SOURCE_DATABASE_URL: throughCounter(source, counter), TARGET_DATABASE_URL: throughCounter(target, counter) };
  const report = (): string[] => ['--report-dir', mkdtempSync(path.join(tmpdir(), 'idas-'))];
  t.equal((await runCli(['--table', 'profesiones', '--table', 'proveedores', ...report()], env)).code, 0, 'the parents first');
  const first = counter.connections.length;
  const alone = await runCli(['--table', 'proveedor_profesiones', ...report()], env);
  t.equal(alone.code, 0, alone.stderr);
  const childChecks = checks(counter.connections.slice(first).find((c) => c.database === databaseOf(target))!);
  // Before: 5 (two more trips for the parents: whether each exists, then whether it holds rows).
  t.equal(childChecks.length, 3, "the catalog, then the tool's state with the parents' rows, then the state schema and the new table");
  for (const parent of ['proveedores', 'profesiones']) t.match(childChecks[1], new RegExp(`tablas_creadas.*EXISTS \\(SELECT 1 FROM "${parent}"\\)`, 's'), `whether ${parent} holds rows is read with the tool's state`);
});
