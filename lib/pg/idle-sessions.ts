import type pg from 'pg';
import { closeQuietly } from './connection.js';

/**
 * Sessions handed from one table to the next instead of a new one each: on a hosted
 * server a new session is a TCP and a TLS handshake and the password's exchange, six or
 * seven round trips. Only a session whose work ended well comes back (its transaction
 * committed, nothing set on it but the settings every session has); one the server
 * closed while it waited leaves the set by itself.
 */
export class IdleSessions {
  private readonly idle = new Set<pg.Client>();

  constructor(private readonly open: () => Promise<pg.Client>) {}

  async take(): Promise<pg.Client> {
    const [waiting] = this.idle;
    if (waiting !== undefined) {
      this.idle.delete(waiting);
      return waiting;
    }
    const opened = await this.open();
    opened.once('end', () => this.idle.delete(opened));
    return opened;
  }

  giveBack(client: pg.Client): void {
    this.idle.add(client);
  }

  async close(): Promise<void> {
    const waiting = [...this.idle];
    this.idle.clear();
    await Promise.all(waiting.map((client) => closeQuietly(client)));
  }
}
