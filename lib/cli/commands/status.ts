import { followStatus, runStatus } from '../../ops/status.js';
import type { CommandContext } from '../context.js';
import { jsonRecord } from '../render/json-events.js';
import { renderStatus } from '../render/status.js';

export async function statusCommand(context: CommandContext): Promise<number> {
  const status = await runStatus(context.target());
  const follow = await followStatus(context.target());
  context.out(context.args.json ? JSON.stringify(jsonRecord('status', { run: status, ...(follow ? { follow } : {}) })) : renderStatus(status, follow));
  return 0;
}
