import pg from 'pg';

/** An application session in the middle of a transaction that read `table`: it holds a lock a load needs. */
export async function holdReadLock(url: string, table = 'mensajes'): Promise<{ pid: number; release: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: url, application_name: 'aplicacion-de-prueba' });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`SELECT 1 FROM "${table}" LIMIT 1`);
  const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  let released = false;
  return {
    pid,
    release: async () => {
      if (released) return;
      released = true;
      await client.query('COMMIT');
      await client.end();
    },
  };
}
