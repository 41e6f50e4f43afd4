import t from 'tap';
import { RowRejection } from '../lib/rules/index.js';
import type { RowView } from '../lib/rules/index.js';
import { mensajes } from '../transforms/mensajes.js';
import { userPhoneJoin } from '../transforms/shared.js';

function view(fields: Record<string, string | null> = {}): RowView & { adjusted: boolean } {
  const v = {
    adjusted: false,
    field: (name: string) => fields[name] ?? null,
    adjust() {
      v.adjusted = true;
    },
  };
  return v;
}

function rule(column: string) {
  const spec = mensajes.columns.find((c) => c.name === column);
  if (!spec?.rule) throw new Error(`sin regla para ${column}`);
  return spec.rule;
}

function rejection(fn: () => unknown): { reason: string; detail: string } | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof RowRejection) return { reason: error.reason, detail: error.detail };
    throw error;
  }
  return undefined;
}

t.test('telefono: the four Ecuadorian shapes, a foreign number, missing and invalid', async (t) => {
  // Normalized once per user before the copy (userPhoneJoin), checked per row (joinedUserPhone).
  const normalize = userPhoneJoin('m').value;
  const telefono = rule('telefono');
  const phoneOf = (raw: string | null) => telefono(normalize(raw), view());
  for (const raw of ['0991234567', '593991234567', '+593 99 123 4567', '(099) 123-4567', ' 0991234567 ']) t.equal(phoneOf(raw), '+593991234567', raw);
  t.equal(phoneOf('+1 415 555 0100'), '+14155550100');
  t.same(rejection(() => phoneOf(null)), { reason: 'telefono_faltante', detail: 'el usuario no existe o no tiene teléfono' });
  t.same(rejection(() => phoneOf('  ')), { reason: 'telefono_faltante', detail: 'el usuario no existe o no tiene teléfono' });
  t.same(rejection(() => phoneOf('garbage')), { reason: 'telefono_invalido', detail: 'telefono: "garbage"' });
  t.same(rejection(() => phoneOf('099123')), { reason: 'telefono_invalido', detail: 'telefono: "099123"' });
});

t.test('tipo_mensaje: both languages, any case and spacing, NULL takes texto', async (t) => {
  const tipo = rule('tipo_mensaje');
  const cases: [string | null, string][] = [
    ['text', 'texto'], ['texto', 'texto'], [' IMAGE ', 'imagen'], ['imagen', 'imagen'], ['audio', 'audio'], ['Video', 'video'],
    ['document', 'documento'], ['documento', 'documento'], ['location', 'ubicacion'], ['ubicacion', 'ubicacion'],
    ['contact', 'contacto'], ['contacto', 'contacto'], [null, 'texto'], ['', 'texto'],
  ];
  for (const [raw, expected] of cases) t.equal(tipo(raw, view()), expected, String(raw));
  t.same(rejection(() => tipo('sticker', view())), { reason: 'valor_invalido', detail: 'tipo_mensaje: "sticker"' });
});

t.test('estado_procesamiento: both languages, failed is error, NULL is completado', async (t) => {
  const estado = rule('estado_procesamiento');
  const cases: [string | null, string][] = [
    ['pending', 'pendiente'], ['PENDIENTE', 'pendiente'], ['processing', 'procesando'], ['procesando', 'procesando'],
    ['completed', 'completado'], ['completado', 'completado'], ['error', 'error'], ['failed', 'error'], [null, 'completado'],
  ];
  for (const [raw, expected] of cases) t.equal(estado(raw, view()), expected, String(raw));
  t.equal(rejection(() => estado('done', view()))?.reason, 'valor_invalido');
});

t.test('contenido: NULL becomes empty text and the row counts as adjusted; text is kept byte for byte', async (t) => {
  const contenido = rule('contenido');
  const nullRow = view();
  t.equal(contenido(null, nullRow), '');
  t.ok(nullRow.adjusted);
  const textRow = view();
  t.equal(contenido('  con espacios\t', textRow), '  con espacios\t');
  t.notOk(textRow.adjusted);
});

t.test('url_media and tipo_media: trimmed, empty is NULL, too long is rejected, never truncated', async (t) => {
  const url = rule('url_media');
  t.equal(url('  https://x.ec/a.jpg ', view()), 'https://x.ec/a.jpg');
  t.equal(url('   ', view()), null);
  t.equal(url('a'.repeat(500), view()), 'a'.repeat(500));
  t.same(rejection(() => url('a'.repeat(501), view())), { reason: 'demasiado_largo', detail: 'url_media: 501 caracteres, máximo 500' });
  // VARCHAR counts characters: 500 two-byte characters fit.
  t.equal(url('ñ'.repeat(500), view()), 'ñ'.repeat(500));
  t.equal(rejection(() => rule('tipo_media')('application/vnd.ms-excel', view()))?.reason, 'demasiado_largo');
});

t.test('metadata: object kept as written, NULL is {}, non-objects wrapped in valor', async (t) => {
  const metadata = rule('metadata');
  t.equal(metadata('{"b": 1, "a": 12345678901234567890}', view()), '{"b": 1, "a": 12345678901234567890}', 'sin redondear números');
  t.equal(metadata(null, view()), '{}');
  t.equal(metadata('[1, 2]', view()), '{"valor": [1, 2]}');
  t.equal(metadata('"hola"', view()), '{"valor": "hola"}');
  t.equal(metadata('7', view()), '{"valor": 7}');
});

t.test('the raw fast paths agree with the rules they stand for', async (t) => {
  const check = (column: string, raw: string, expectedKeep: boolean) => {
    const spec = mensajes.columns.find((c) => c.name === column)!;
    const buf = Buffer.from(raw);
    t.equal(spec.rule!.keepsRaw!(buf, 0, buf.length), expectedKeep, `${column} ${JSON.stringify(raw)}`);
  };
  check('telefono', '+593991234567', true);
  check('telefono', '!basura', false);
  check('telefono', '\\N', false);
  check('contenido', '\\N', false);
  check('contenido', 'hola\\tmundo', true);
  check('url_media', 'https://x.ec/a.jpg', true);
  check('url_media', ' https://x.ec/a.jpg', false);
  check('url_media', 'https://x.ec/a.jpg\\n', false);
  check('url_media', '', false);
  check('url_media', 'a'.repeat(501), false);
  check('metadata', '{"a": 1}', true);
  check('metadata', '[1]', false);
  check('metadata', '\\N', false);
});
