// SQLSTATEs and socket errors that a new connection may not meet again: the server was
// shut down or restarted, the connection dropped, too many clients, a serialization
// failure or a deadlock.
const TRANSIENT_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300', '40001', '40P01', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** A dropped connection, a restarting server, a serialization failure: worth another try. */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  return /Connection terminated|terminating connection|not queryable|socket hang up/i.test((error as Error | null)?.message ?? '');
}
