import { rollback } from '../../ops/rollback.js';
import type { CommandContext } from '../context.js';

export async function rollbackCommand(context: CommandContext): Promise<number> {
  const execute = context.args.yes === true;
  const result = await rollback({ targetUrl: context.targetUrl(), sslCa: context.args['ssl-ca'], catalog: context.catalog, execute });
  const what = [...result.tables, ...(result.stateSchema ? ['esquema copiar_tablas'] : [])];
  if (!execute) {
    context.out(what.length > 0 ? `Se borraría: ${what.join(', ')}. Repita con --yes para borrarlo.` : 'No hay nada creado por copiar-tablas que borrar.');
    return 2;
  }
  context.out(what.length > 0 ? `Borrado: ${what.join(', ')}.` : 'No había nada creado por copiar-tablas que borrar.');
  return 0;
}
