import { verify } from '../../ops/verify.js';
import type { CommandContext } from '../context.js';
import { jsonRecord } from '../render/json-events.js';
import { renderCheck, renderVerifyEnd } from '../render/verify.js';

export async function verifyCommand(context: CommandContext): Promise<number> {
  const { args } = context;
  const checks = await verify({
    source: context.source(),
    target: context.target(),
    specs: context.selectedTables(),
    onTable: (c) => {
      if (args.json) context.out(JSON.stringify(jsonRecord('table_verified', { ...c })));
      else if (!args.quiet) context.out(renderCheck(c));
    },
  });
  const ok = checks.every((c) => c.ok);
  context.out(args.json ? JSON.stringify(jsonRecord('verify_done', { ok })) : renderVerifyEnd(checks));
  return ok ? 0 : 1;
}
