import { backup } from '../../ops/backup.js';
import type { CommandContext } from '../context.js';

export async function backupCommand(context: CommandContext): Promise<number> {
  const file = await backup({ source: context.source(), catalog: context.catalog, outDir: String(context.args.out) });
  context.out(`Copia de seguridad: ${file}`);
  return 0;
}
