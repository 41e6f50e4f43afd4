import { plan, type PlanOptions } from '../../ops/plan.js';
import type { CommandContext } from '../context.js';
import { jsonRecord } from '../render/json-events.js';
import { renderPlan } from '../render/plan.js';

export async function planCommand(context: CommandContext): Promise<number> {
  const { args } = context;
  const p = await plan({ source: context.source(), target: context.target(), catalog: context.catalog, specs: context.selectedTables(), replace: args.replace, triggers: args.triggers as PlanOptions['triggers'], follow: args.follow });
  context.out(args.json ? JSON.stringify(jsonRecord('plan', { ...p })) : renderPlan(p));
  return p.problems.length === 0 ? 0 : 2;
}
