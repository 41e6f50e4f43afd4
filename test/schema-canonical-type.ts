import t from 'tap';
import { checkShape } from '../lib/schema/shape.js';
import { canonicalType } from '../lib/table-spec/column-type.js';
import { profesiones } from '../transforms/profesiones.js';

t.test('a spec type reads as format_type prints it', async (t) => {
  t.equal(canonicalType('VARCHAR(20) NOT NULL'), 'character varying(20)');
  t.equal(canonicalType('varchar( 255 )'), 'character varying(255)');
  t.equal(canonicalType('DECIMAL(10, 8)'), 'numeric(10,8)');
  t.equal(canonicalType('NUMERIC(11,8)'), 'numeric(11,8)');
  t.equal(canonicalType('SERIAL'), 'integer');
  t.equal(canonicalType('INT DEFAULT 0 CHECK (x >= 0)'), 'integer');
  t.equal(canonicalType('TIMESTAMP DEFAULT NOW()'), 'timestamp without time zone');
  t.equal(canonicalType("JSONB DEFAULT '{}'"), 'jsonb');
  t.equal(canonicalType('UUID'), 'uuid');
  t.equal(canonicalType('BOOLEAN DEFAULT true'), 'boolean');
});

t.test('an existing table of another shape is refused, naming each difference', async (t) => {
  const columns = new Map(profesiones.columns.map((c) => [c.name, canonicalType(c.type)]));
  t.doesNotThrow(() => checkShape(profesiones, columns));
  t.doesNotThrow(() => checkShape(profesiones, undefined), 'una tabla que no existe se creará');
  columns.set('nombre', 'text');
  columns.delete('categoria');
  columns.set('sobrante', 'integer');
  t.throws(() => checkShape(profesiones, columns), {
    code: 'DESTINO_INCOMPATIBLE',
    message: /profesiones ya existe con otra forma \(nombre es text y debería ser character varying\(100\); falta la columna categoria; sobra la columna sobrante\)/,
  });
});
