import { backup } from '../../ops/backup.js';
import type { CommandContext } from '../context.js';
import { jsonRecord } from '../render/json-events.js';

export async function backupCommand(context: CommandContext): Promise<number> {
  const file = await backup({ source: context.source(), catalog: context.catalog, outDir: String(context.args.out) });
  context.out(context.args.json ? JSON.stringify(jsonRecord('backup_done', { file })) : `Copia de seguridad: ${file}`);
  return 0;
}
