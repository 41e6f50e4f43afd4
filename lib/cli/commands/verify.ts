import { performance } from 'node:perf_hooks';
import { verify } from '../../ops/verify.js';
import { timeAndMemory } from '../../run/summary.js';
import type { CommandContext } from '../context.js';
import { jsonRecord } from '../render/json-events.js';
import { VerifyProgressPrinter, renderCheck, renderVerifyEnd } from '../render/verify.js';

export async function verifyCommand(context: CommandContext): Promise<number> {
  const { args, io } = context;
  const started = performance.now();
  const printer = args.json || args.quiet ? null : new VerifyProgressPrinter(io.stderr.isTTY ? 'tty' : 'lines', io.stderr);
  const checks = await verify({
    source: context.source(),
    target: context.target(),
    specs: context.selectedTables(),
    onTable: (c) => {
      printer?.clear();
      if (args.json) context.out(JSON.stringify(jsonRecord('table_verified', { ...c })));
      else if (!args.quiet) context.out(renderCheck(c));
    },
    onProgress: (p) => {
      if (args.json) context.out(JSON.stringify(jsonRecord('verify_progress', { ...p })));
      else printer?.progress(p);
    },
    progressIntervalMs: io.stderr.isTTY ? 500 : 5000,
  });
  printer?.clear();
  const ok = checks.every((c) => c.ok);
  // Time and memory as the run reports them: verify shares the maintenance window and the machine.
  context.out(args.json ? JSON.stringify(jsonRecord('verify_done', { ok, ...timeAndMemory(started) })) : renderVerifyEnd(checks));
  return ok ? 0 : 1;
}
