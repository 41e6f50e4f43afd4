import { migrate } from '../../run/migrate.js';
import { resumeHint } from '../resume-command.js';
import type { CommandContext } from '../context.js';
import { EventPrinter, type OutputMode } from '../render/event-printer.js';
import { stopDeadline, stopOnSignalsOrDeadline } from '../stop.js';

export async function migrateCommand(context: CommandContext): Promise<number> {
  const { args, io } = context;
  const deadline = stopDeadline(args['max-duration'], args.until);
  const tables = args.table === undefined ? [] : context.selectedTables().map((s) => s.target);
  const source = context.source();
  const target = context.target();
  const mode: OutputMode = args.json ? 'json' : args.quiet ? 'quiet' : io.stderr.isTTY ? 'tty' : 'lines';
  const hint = resumeHint(args);
  const printer = new EventPrinter(mode, io.stdout, io.stderr, { resumeHint: hint });
  const stop = stopOnSignalsOrDeadline(deadline, io.stdout);
  const summary = await migrate({
    sourceUrl: source.url,
    targetUrl: target.url,
    sourceSslCa: source.sslCa,
    targetSslCa: target.sslCa,
    catalog: context.catalog,
    tables,
    reportDir: args['report-dir'],
    jobs: args.jobs,
    rangeRows: args['range-rows'],
    deadline: deadline !== null,
    retries: args.retries,
    resume: args.resume,
    replace: args.replace,
    signal: stop.signal,
    onEvent: printer.handle,
    progressIntervalMs: mode === 'tty' ? 500 : 5000,
    resumeHint: hint,
  }).finally(stop.release);
  return summary.ok ? 0 : 1;
}
