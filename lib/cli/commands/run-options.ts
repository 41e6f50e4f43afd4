import type { RunOptions } from '../../run/options.js';
import type { CommandContext } from '../context.js';
import { EventPrinter, type OutputMode } from '../render/event-printer.js';
import { resumeHint } from '../resume-command.js';
import { stopDeadline, stopOnSignalsOrDeadline } from '../stop.js';

/**
 * What a run (plain or --follow) takes from the command line: the URLs, tables and run
 * flags, the printer for its events, and the stop on Ctrl-C, SIGTERM or the deadline.
 * `release` ends the listening for signals once the run is over.
 */
export function runFromArguments(context: CommandContext): { options: RunOptions; mode: OutputMode; stop: { signal: AbortSignal; release: () => void } } {
  const { args, io } = context;
  const deadline = stopDeadline(args['max-duration'], args.until);
  const tables = args.table === undefined ? [] : context.selectedTables().map((s) => s.target);
  const source = context.source();
  const target = context.target();
  const mode: OutputMode = args.json ? 'json' : args.quiet ? 'quiet' : io.stderr.isTTY ? 'tty' : 'lines';
  const hint = resumeHint(args);
  const printer = new EventPrinter(mode, io.stdout, io.stderr, { resumeHint: hint });
  const stop = stopOnSignalsOrDeadline(deadline, io.stdout);
  const options: RunOptions = {
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
    triggers: args.triggers as RunOptions['triggers'],
    signal: stop.signal,
    onEvent: printer.handle,
    progressIntervalMs: mode === 'tty' ? 500 : 5000,
    resumeHint: hint,
  };
  return { options, mode, stop };
}
