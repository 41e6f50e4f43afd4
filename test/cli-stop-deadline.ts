import t from 'tap';
import { stopDeadline } from '../lib/cli/stop.js';

const at = (hours: number, minutes: number): Date => new Date(2026, 10, 30, hours, minutes, 0, 0);

t.test('--until is the next such local time: today, or tomorrow once it has passed', async (t) => {
  t.same(stopDeadline(undefined, '05:30', at(5, 0)), { ms: 30 * 60_000, label: '--until 05:30' });
  t.same(stopDeadline(undefined, '05:30', at(6, 0)), { ms: 23.5 * 3_600_000, label: '--until 05:30' });
  t.equal(stopDeadline(undefined, '5:30', at(5, 0))?.ms, 30 * 60_000, 'una cifra para la hora');
  t.equal(stopDeadline(undefined, '05:00', at(5, 0))?.ms, 24 * 3_600_000, 'la hora de ahora es la de mañana');
});

t.test('--max-duration in hours, minutes and seconds', async (t) => {
  t.equal(stopDeadline('90m', undefined)?.ms, 90 * 60_000);
  t.equal(stopDeadline('1h30m', undefined)?.ms, 90 * 60_000);
  t.equal(stopDeadline('2h', undefined)?.ms, 2 * 3_600_000);
  t.equal(stopDeadline('45s', undefined)?.ms, 45_000);
  t.equal(stopDeadline(undefined, undefined), null);
});

t.test('with both, the nearer one wins', async (t) => {
  t.same(stopDeadline('2h', '05:30', at(5, 0)), { ms: 30 * 60_000, label: '--until 05:30' });
  t.same(stopDeadline('10m', '05:30', at(5, 0)), { ms: 10 * 60_000, label: '--max-duration 10m' });
});

t.test('what it cannot read is refused, saying what it got', async (t) => {
  t.throws(() => stopDeadline('', undefined), { code: 'USO_INVALIDO', message: /--max-duration no se entiende: se recibió ""/ });
  t.throws(() => stopDeadline('2 horas', undefined), { code: 'USO_INVALIDO', message: /se recibió "2 horas"/ });
  t.throws(() => stopDeadline(undefined, '25:00'), { code: 'USO_INVALIDO', message: /--until espera una hora HH:MM, se recibió "25:00"/ });
  t.throws(() => stopDeadline(undefined, '05:3'), { code: 'USO_INVALIDO' });
  t.throws(() => stopDeadline('0s', undefined), { code: 'USO_INVALIDO', message: '--max-duration debe ser mayor que cero, se recibió "0s".' });
  t.throws(() => stopDeadline('0h0m', undefined), { code: 'USO_INVALIDO' });
});
