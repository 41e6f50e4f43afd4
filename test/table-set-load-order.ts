import t from 'tap';
import type { AnyTableSpec } from '../lib/table-spec/spec.js';
import { dependenciesOf, loadOrder, selectTables } from '../lib/table-spec/table-set.js';
import { TABLES } from '../transforms/index.js';

const names = (specs: readonly AnyTableSpec[]): string[] => specs.map((s) => s.target);
const CONTRACT_ORDER = ['profesiones', 'clientes', 'proveedores', 'proveedor_profesiones', 'servicios_proveedor', 'solicitudes_servicio', 'mensajes', 'sesiones', 'tareas_programadas'];

t.test('the load order follows from the tables each spec says its lookups read', async (t) => {
  t.same(dependenciesOf(TABLES.find((s) => s.target === 'proveedor_profesiones')!), ['proveedores', 'profesiones']);
  t.same(names(loadOrder(TABLES)), CONTRACT_ORDER, 'el orden del contrato');
  // Listed backwards, every table still comes after the tables it reads.
  const order = names(loadOrder([...TABLES].reverse()));
  for (const spec of TABLES) for (const d of dependenciesOf(spec)) t.ok(order.indexOf(d) < order.indexOf(spec.target), `${d} antes que ${spec.target}`);
});

t.test('a spec that reads a table the catalog lacks, or reads itself through others, is refused', async (t) => {
  const solicitudes = TABLES.find((s) => s.target === 'solicitudes_servicio')!;
  t.throws(() => loadOrder([solicitudes]), /solicitudes_servicio lee clientes, que no es una tabla de la migración/);
  const a = { ...solicitudes, target: 'a', targetLookups: { ...solicitudes.targetLookups!, reads: ['b'] } };
  const b = { ...solicitudes, target: 'b', targetLookups: { ...solicitudes.targetLookups!, reads: ['a'] } };
  t.throws(() => loadOrder([a, b]), /dependencia circular entre tablas: a → b → a/);
});

t.test('named tables come back in load order; an unknown one is refused listing the valid names', async (t) => {
  t.same(names(selectTables(TABLES, ['mensajes', 'clientes'])), ['clientes', 'mensajes']);
  t.same(names(selectTables(TABLES, [])), CONTRACT_ORDER);
  t.throws(() => selectTables(TABLES, ['mensaje']), { code: 'TABLA_DESCONOCIDA', message: `Tabla desconocida: mensaje; las tablas válidas son ${CONTRACT_ORDER.join(', ')}.` });
});
