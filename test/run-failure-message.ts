import t from 'tap';
import { describeTableFailure } from '../lib/run/failure.js';

const options = { stopped: false, retries: 3, secrets: ['postgres://app:S3cr3t@db/x'] };

t.test('a server message that quotes a whole array of values is cut before the data', async (t) => {
  const phones = Array.from({ length: 500 }, (_, i) => `"+5939${String(i).padStart(8, '0')}"`).join(',');
  const error = Object.assign(new Error(`malformed array literal: "{${phones}}"`), { code: '22P02' });
  const failure = describeTableFailure(error, options);
  t.ok(failure.message.length < 400, `${failure.message.length} caracteres`);
  t.match(failure.message, /^malformed array literal: .*… \(mensaje del servidor recortado: citaba \d+ caracteres de la consulta o de sus datos\)/);
  t.notMatch(failure.message, /\+593900000099/, 'los datos de más allá del corte no salen');
  t.match(failure, { code: 'ERROR_SERVIDOR', sqlstate: '22P02', stopped: false });
});

t.test('a short message stays whole, its password scrubbed', async (t) => {
  const failure = describeTableFailure(new Error('fallo con postgres://app:S3cr3t@db/x'), options);
  t.equal(failure.message, 'fallo con postgres://app:*****@db/x (continúe con: npx copiar-tablas --resume)');
  t.equal(failure.code, 'ERROR_INTERNO');
});

t.test('a lost connection says so, and a stop is a stop', async (t) => {
  const lost = describeTableFailure(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), options);
  t.match(lost, { code: 'CONEXION_PERDIDA', message: /^se perdió la conexión y no volvió en 3 reintentos \(write EPIPE\)/ });
  const stopped = describeTableFailure(new Error('detenido por la señal SIGINT'), { ...options, stopped: true });
  t.match(stopped, { code: 'DETENIDO', stopped: true, message: 'detenido por la señal SIGINT; continúe con: npx copiar-tablas --resume.' });
});
