import t from 'tap';
import { ChangeBatch } from '../lib/follow/changes.js';
import { scopeOf, type TargetChange } from '../lib/follow/scopes.js';
import { sourceIdColumns } from '../lib/follow/table-follow-kinds.js';
import { TABLES } from '../transforms/index.js';

// servicios_proveedor and proveedor_profesiones read proveedores only at each row's own
// proveedor_id (readsByReference): when proveedores come or go, only the rows that point
// at them are recomputed. A whole recompute of them cost a second of a 10,000-change batch.
const spec = (name: string) => TABLES.find((s) => s.target === name)!;
const servicios = spec('servicios_proveedor');
const profesiones = spec('proveedor_profesiones');
const GONE = '11111111-0000-4000-8000-000000000001';
const CAME = '11111111-0000-4000-8000-000000000002';

function batchOf(changed: Record<string, string[]> = {}): ChangeBatch {
  const batch = new ChangeBatch(sourceIdColumns(TABLES));
  for (const [table, ids] of Object.entries(changed)) batch.tables.set(table, { ids: new Set(ids), inserted: new Set(), truncated: false, unnamed: false, rows: new Map() });
  return batch;
}

const scope = (name: string, proveedores: TargetChange, changed: Record<string, string[]> = {}) =>
  scopeOf(spec(name), { batch: batchOf({ users: [GONE, CAME], ...changed }), changedTargets: new Map([['proveedores', proveedores]]), changedKeys: new Map() });

t.test('proveedores that came or went: the rows that reference them, not the whole table', async (t) => {
  const moved: TargetChange = { rows: true, movedKeys: new Set([GONE, CAME]), columns: new Set() };
  for (const table of [servicios, profesiones]) {
    t.same(scope(table.target, moved), { whole: false, ids: new Set(), keys: new Set(), references: [{ column: 'provider_id', values: new Set([GONE, CAME]) }] }, `${table.target}: por provider_id`);
  }
});

t.test('the table changed too: its own rows join the scope where a row is its own, the whole table where a keep rule binds them', async (t) => {
  const moved: TargetChange = { rows: true, movedKeys: new Set([GONE]), columns: new Set() };
  const own = '22222222-0000-4000-8000-000000000001';
  t.same(scope('servicios_proveedor', moved, { provider_services: [own] }), { whole: false, ids: new Set([own]), keys: new Set(), references: [{ column: 'provider_id', values: new Set([GONE]) }] });
  t.same(scope('proveedor_profesiones', moved, { provider_professions: ['7'] }), { whole: true });
});

t.test('the whole table when the keys are not all known, too many, or a column the rules read changed', async (t) => {
  t.same(scope('servicios_proveedor', { rows: true, columns: new Set() }), { whole: true }, 'claves desconocidas');
  const many = new Set(Array.from({ length: 10_001 }, (_, i) => `11111111-0000-4000-8000-${String(i).padStart(12, '0')}`));
  t.same(scope('servicios_proveedor', { rows: true, movedKeys: many, columns: new Set() }), { whole: true }, 'más de 10.000 claves');
  t.same(scope('servicios_proveedor', { rows: false, columns: new Set(['id']) }), { whole: true }, 'cambió una columna que leen');
});

t.test('an update of columns the rules do not read changes nothing', async (t) => {
  t.equal(scopeOf(servicios, { batch: batchOf({ users: [GONE] }), changedTargets: new Map([['proveedores', { rows: false, columns: new Set(['telefono']) }]]), changedKeys: new Map() }), null);
});
