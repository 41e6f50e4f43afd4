// toE164 parses a phone typed with separators in its separator-free form, and caches it:
// it must read every string exactly as libphonenumber-js reads the string as typed.
import t from 'tap';
import { seededRandom } from './helpers/seeded-random.js';
import { parseE164, phoneKey, toE164 } from '../lib/rules/phone.js';

t.test('random strings of digits, + and separators: the same reading as typed', async (t) => {
  const next = seededRandom(11);
  const alphabet = '0123456789 +().-';
  const numbers = ['0991234567', '593991234567', '+593991234567', '022345678', '+14155550597', '0987654321', '+593 2 234 5678', '072 845 123'];
  const differ: string[] = [];
  let valid = 0;
  for (let i = 0; i < 40_000; i++) {
    let raw = '';
    if (i % 2 === 0) {
      for (let n = next(20); n > 0; n--) raw += alphabet[next(alphabet.length)];
    } else {
      // A real number with separators sprinkled in, as people type them.
      for (const ch of numbers[next(numbers.length)]!) raw += (next(3) === 0 ? ' ().-+'[next(6)] : '') + ch;
    }
    const expected = parseE164(raw);
    if (expected !== null) valid++;
    // Twice: the second answer comes from the cache.
    if (toE164(raw) !== expected || toE164(raw) !== expected) differ.push(raw);
  }
  t.same(differ, []);
  t.ok(valid > 10_000, `${valid} de las cadenas son teléfonos válidos`);
});

t.test('one phone typed many ways shares one key', async (t) => {
  const typed = ['+593 99 123 4567', '+593-99-123-4567', '(+593) 991234567', '+593991234567', ' +593 (99) 123.4567 '];
  t.same(new Set(typed.map(phoneKey)), new Set(['+593991234567']));
  for (const raw of typed) t.equal(toE164(raw), '+593991234567', raw);
  t.equal(phoneKey('(099) 123-4567'), '0991234567');
});

t.test('anything beyond digits and separators is read as typed', async (t) => {
  const cases = ['099 123 4567 ext. 12', '099/123/4567', '099\t1234567', 'tel: 0991234567', '٠٩٩١٢٣٤٥٦٧', '0991234567x5', '', '   ', ' '.repeat(300) + '0991234567'];
  for (const raw of cases) {
    if (raw.trim() !== '' && raw.length <= 64) t.equal(phoneKey(raw), raw, `clave propia: ${JSON.stringify(raw)}`);
    t.equal(toE164(raw), parseE164(raw), JSON.stringify(raw));
  }
});
