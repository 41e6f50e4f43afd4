import type { Pgoutput } from 'pg-logical-replication';

/** What one source table's changes in a batch touched: the ids of its rows, before and after. */
export interface TableChanges {
  /** Values of the table's id column (text), of every inserted, updated or deleted row. */
  ids: Set<string>;
  /** Of those, the ids of rows inserted: rows the target may not hold yet (recompute.ts copies them straight in). */
  inserted: Set<string>;
  /** A TRUNCATE: every row went. */
  truncated: boolean;
  /** A change whose row carries no id (customers' old imports): only a whole recompute finds it. */
  unnamed: boolean;
}

/**
 * The changes of one or more whole source transactions, by source table: not the rows'
 * values (the recompute reads the source as it is), only which rows they were. The id
 * column of each table is the one the specs report as `id_origen` (`idColumns`).
 */
export class ChangeBatch {
  readonly tables = new Map<string, TableChanges>();
  /** Row changes and truncates taken in. */
  changes = 0;
  /** Transactions taken in, and the end of the last one's commit record. */
  transactions = 0;
  endLsn: string | null = null;
  /** When the oldest transaction of the batch committed on the source (ms since epoch). */
  oldestCommit: number | null = null;
  /** The source transactions' ids (32 bits, as the stream gives them). */
  readonly xids: number[] = [];

  constructor(private readonly idColumns: ReadonlyMap<string, string>) {}

  private of(table: string): TableChanges {
    let changes = this.tables.get(table);
    if (!changes) this.tables.set(table, (changes = { ids: new Set(), inserted: new Set(), truncated: false, unnamed: false }));
    return changes;
  }

  /** One decoded pgoutput message; begin, relation and the like carry no change. */
  add(message: Pgoutput.Message): void {
    switch (message.tag) {
      case 'insert':
        this.row(message.relation.name, [message.new], true);
        break;
      case 'update':
        this.row(message.relation.name, [message.new, message.key, message.old]);
        break;
      case 'delete':
        this.row(message.relation.name, [message.key, message.old]);
        break;
      case 'truncate':
        for (const relation of message.relations) this.of(relation.name).truncated = true;
        this.changes++;
        break;
      default:
        break;
    }
  }

  /** The end of a source transaction: the batch may be applied after it, never inside it. */
  commit(endLsn: string, commitTimeMs: number): void {
    this.transactions++;
    this.endLsn = endLsn;
    this.oldestCommit ??= commitTimeMs;
  }

  /** Takes in a whole transaction received on its own (`other` is not used again). */
  merge(other: ChangeBatch): void {
    for (const [table, theirs] of other.tables) {
      const mine = this.of(table);
      for (const id of theirs.ids) mine.ids.add(id);
      for (const id of theirs.inserted) mine.inserted.add(id);
      mine.truncated ||= theirs.truncated;
      mine.unnamed ||= theirs.unnamed;
    }
    this.changes += other.changes;
    this.transactions += other.transactions;
    for (const xid of other.xids) this.xids.push(xid);
    if (other.endLsn !== null) this.endLsn = other.endLsn;
    if (other.oldestCommit !== null) this.oldestCommit ??= other.oldestCommit;
  }

  private row(table: string, tuples: (Record<string, unknown> | null | undefined)[], insert = false): void {
    const changes = this.of(table);
    const column = this.idColumns.get(table);
    if (column === undefined) {
      // A joined table (professions for proveedor_profesiones): its rows name none of ours.
      changes.unnamed = true;
      this.changes++;
      return;
    }
    let named = false;
    for (const tuple of tuples) {
      const id = tuple?.[column];
      if (id === undefined) continue;
      if (id === null) changes.unnamed = true;
      else {
        changes.ids.add(String(id));
        if (insert) changes.inserted.add(String(id));
        named = true;
      }
    }
    if (!named) changes.unnamed = true;
    this.changes++;
  }
}
