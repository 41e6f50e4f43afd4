import t from 'tap';
import { RowRejection } from '../lib/rules/index.js';
import { coordinate, decimal, enumeration, integerInRange, json, shortText, type RowView } from '../lib/rules/index.js';

function view(fields: Record<string, string | null> = {}): RowView & { adjusted: boolean } {
  const v = { adjusted: false, field: (n: string) => fields[n] ?? null, adjust: () => void (v.adjusted = true) };
  return v;
}

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof RowRejection) return error.reason;
    throw error;
  }
  return undefined;
}

t.test('json object columns', async (t) => {
  const obj = json('notas', 'object');
  const cases: [string | null, string, boolean][] = [
    [null, '{}', false],
    ['', '{}', false],
    ['  {"a": 1}  ', '{"a": 1}', false],
    ['{"a": 1', '{"a": 1}', true],
    ['{{{', '{"texto":"{{{"}', true],
    ['cliente frecuente', '{"texto":"cliente frecuente"}', true],
    ['[1, 2]', '{"valor": [1, 2]}', false],
    ['"solo"', '{"valor": "solo"}', false],
    ['{"a": "\\u0000"}', '{"texto":"{\\"a\\": \\"\\\\u0000\\"}"}', true],
  ];
  for (const [raw, expected, adjusted] of cases) {
    const row = view();
    t.equal(obj(raw, row), expected, String(raw));
    t.equal(row.adjusted, adjusted, `${raw} ajustada`);
  }
});

t.test('json array columns', async (t) => {
  const arr = json('certificaciones', 'array');
  t.equal(arr(null, view()), '[]');
  t.equal(arr('["A"]', view()), '["A"]');
  t.equal(arr('["A", "B"', view()), '["A", "B"]');
  t.equal(arr('curso A,  curso B ', view()), '["curso A","curso B"]');
  t.equal(arr('{"a": 1}', view()), '[{"a": 1}]');
  t.equal(reason(() => arr('{{{{', view())), 'json_invalido');
});

t.test('enumeration without default rejects NULL', async (t) => {
  const tipo = enumeration('tipo_tarea', { feedback: [] });
  t.equal(tipo(' FEEDBACK ', view()), 'feedback');
  t.equal(reason(() => tipo(null, view())), 'valor_invalido');
});

t.test('integer ranges and decimals', async (t) => {
  const prioridad = integerInRange('prioridad', 0, 10, 0);
  t.equal(prioridad(null, view()), '0');
  t.equal(prioridad('10', view()), '10');
  t.equal(reason(() => prioridad('11', view())), 'fuera_de_rango');
  t.equal(reason(() => prioridad('-1', view())), 'fuera_de_rango');
  const precio = decimal('precio', 10, 2);
  t.equal(precio('99999999.99', view()), '99999999.99');
  t.equal(reason(() => precio('99999999.995', view())), 'fuera_de_rango', 'redondearía a 100000000.00');
  t.equal(reason(() => precio('NaN', view())), 'fuera_de_rango');
  t.equal(reason(() => precio('-1e9', view())), 'fuera_de_rango');
});

t.test('coordinates out of range null both and adjust once', async (t) => {
  const lat = coordinate('latitude', 'lat', 'lng');
  const lng = coordinate('longitude', 'lat', 'lng');
  const bad = view({ lat: '95', lng: '-78' });
  t.equal(lat('95', bad), null);
  t.equal(lng('-78', bad), null);
  t.ok(bad.adjusted);
  const good = view({ lat: '-0.123456789', lng: '-78.5' });
  t.equal(lat('-0.123456789', good), '-0.123456789', 'PostgreSQL redondea a 8 decimales al insertar');
  t.notOk(good.adjusted);
  t.equal(lat(null, view({ lat: null, lng: 'Infinity' })), null);
});

t.test('short text collapses whitespace in names only', async (t) => {
  t.equal(shortText({ column: 'ciudad', collapse: true })('  Santo   Domingo ', view()), 'Santo Domingo');
  t.equal(shortText({ column: 'direccion' })('  Av.  Amazonas ', view()), 'Av.  Amazonas');
  t.equal(reason(() => shortText({ column: 'titulo', required: 'titulo_faltante' })(' ', view())), 'titulo_faltante');
});
