import { CopiarError } from '../../errors.js';
import { cutover } from '../../ops/cutover.js';
import type { CommandContext } from '../context.js';
import { FollowPrinter, cutoverReport } from '../render/follow.js';
import { jsonRecord } from '../render/json-events.js';
import { stopOnSignalsOrDeadline } from '../stop.js';

export async function cutoverCommand(context: CommandContext): Promise<number> {
  const { args, io } = context;
  const source = context.source();
  const target = context.target();
  const printer = args.json || args.quiet ? null : new FollowPrinter(io.stderr.isTTY === true, io.stderr);
  const stop = stopOnSignalsOrDeadline(null, io.stdout);
  const result = await cutover({
    sourceUrl: source.url,
    targetUrl: target.url,
    sourceSslCa: source.sslCa,
    targetSslCa: target.sslCa,
    catalog: context.catalog,
    verify: args.verify,
    signal: stop.signal,
    onFollowProgress: printer?.progress,
    progressIntervalMs: 1000,
    // The application waits from the moment the command starts: Node's own start and the
    // loading of the program (~0.5 s) count too.
    startedAt: 0,
  }).finally(stop.release);
  printer?.clear();
  if (args.json) {
    const { follow, checks, ...rest } = result;
    context.out(JSON.stringify(jsonRecord('cutover_done', { ...rest, applied_lsn: follow.lsn, changes: follow.changes, verified: checks !== null, seconds: Number(result.seconds.toFixed(3)) })));
  } else if (!args.quiet) {
    context.out(cutoverReport(result));
  }
  if (!result.ok) throw new CopiarError('CORTE_INCOMPLETO', 'el corte aplicó todos los cambios pero el destino no cuadra con el origen; el slot se conserva: revise con npx copiar-tablas verify y repita npx copiar-tablas cutover');
  return 0;
}
