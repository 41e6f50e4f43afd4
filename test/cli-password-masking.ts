// Passwords are masked by parsing the URL: a short or common password must not shred
// the sentence (replacing its text everywhere showed most of it through the gaps).
import t from 'tap';
import { runCli } from './helpers/cli.js';

t.test('a short or common password is masked where it is, and the sentence stays whole', async (t) => {
  for (const [password, user, database] of [
    ['s', 'operador', 'produccion'],
    ['postgres', 'postgres', 'postgres'],
    ['p%40ss%23word', 'operador', 'produccion'],
  ]) {
    const r = await runCli(['--table', 'mensajes'], { DATABASE_URL: `postgres://${user}:${password}@127.0.0.1:1/${database}` });
    t.equal(r.code, 2);
    t.equal(r.stderr, `copiar-tablas: No se pudo conectar a la base de origen postgres://${user}:*****@127.0.0.1:1/${database}: el servidor rechazó la conexión; compruebe servidor y puerto.\n`, password);
  }
});

t.test('a password with # or / written as is gets the way to write it', async (t) => {
  const r = await runCli(['--table', 'mensajes'], { DATABASE_URL: 'postgres://operador:cla#ve/1@db.example:5432/app' });
  t.equal(r.code, 2);
  t.match(r.stderr, /La URL de origen no es válida .*: se espera postgres:\/\/usuario:\*\*\*\*\*@servidor:5432\/base\. Si la contraseña tiene #, \/, \? o @, escríbalos %23, %2F, %3F y %40\./);
  t.notMatch(r.stderr, /cla#ve/);
});
