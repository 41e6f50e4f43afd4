import { rollback } from '../../ops/rollback.js';
import type { CommandContext } from '../context.js';
import { jsonRecord } from '../render/json-events.js';

export async function rollbackCommand(context: CommandContext): Promise<number> {
  const execute = context.args.yes === true;
  const result = await rollback({ target: context.target(), source: context.sourceIfGiven(), catalog: context.catalog, execute });
  const onSource = [...(result.follow?.slot ? ['el slot de replicación copiar_tablas del origen'] : []), ...(result.follow?.publication ? ['la publicación copiar_tablas del origen'] : [])];
  const what = [...result.tables, ...(result.stateSchema ? ['esquema copiar_tablas'] : []), ...onSource];
  if (context.args.json) {
    context.out(JSON.stringify(jsonRecord('rollback_done', { executed: execute, tables: result.tables, state_schema: result.stateSchema, left_alone: result.leftAlone, ...(result.follow ? { follow: result.follow } : {}) })));
    return execute ? 0 : 2;
  }
  if (result.leftAlone.length > 0) {
    context.out(`Se deja${result.leftAlone.length > 1 ? 'n' : ''} ${result.leftAlone.join(', ')}: copiar-tablas creó una tabla con ese nombre, pero la que existe ahora es otra (alguien la volvió a crear).`);
  }
  if (!execute) {
    context.out(what.length > 0 ? `Se borraría: ${what.join(', ')}. Repita con --yes para borrarlo.` : 'No hay nada creado por copiar-tablas que borrar.');
    return 2;
  }
  context.out(what.length > 0 ? `Borrado: ${what.join(', ')}.` : 'No había nada creado por copiar-tablas que borrar.');
  return 0;
}
