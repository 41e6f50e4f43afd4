import type { StreamedChange, StreamedMessage } from './streamed-pgoutput.js';
import type { StreamedRow, StreamedRows } from './streamed-rows.js';

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
  /**
   * What the stream says each row is after the batch, where it says all of it: the new
   * row of an insert or an update (tables of `StreamedRows`), or null for a row deleted.
   * An id of `ids` missing here is read at the source.
   */
  rows: Map<string, StreamedRow | null>;
}

/** What a kept row costs beside its bytes: its object, its key and its entry in the map. */
const ROW_OVERHEAD_BYTES = 200;

/**
 * The changes of one or more whole source transactions, by source table: which rows they
 * were and, for the tables whose rows the stream brings whole (streamed-rows.ts), what
 * those rows are after them; the recompute reads the others at the source as it is. The
 * id column of each table is the one the specs report as `id_origen` (`idColumns`).
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
  /** Bytes of the values of the rows kept (`TableChanges.rows`). */
  private keptBytes = 0;

  constructor(
    private readonly idColumns: ReadonlyMap<string, string>,
    private readonly streamed: StreamedRows = { tables: new Set(), budgetBytes: 0 },
  ) {}

  private of(table: string): TableChanges {
    let changes = this.tables.get(table);
    if (!changes) this.tables.set(table, (changes = { ids: new Set(), inserted: new Set(), truncated: false, unnamed: false, rows: new Map() }));
    return changes;
  }

  /** One decoded pgoutput message; begin, relation and the like carry no change. */
  add(message: StreamedMessage): void {
    switch (message.tag) {
      case 'insert':
        this.row(message.relation.name, [message.new], true);
        this.keep(message.relation.name, message.new, [], (message as StreamedChange).row);
        break;
      case 'update':
        this.row(message.relation.name, [message.new, message.key, message.old]);
        this.keep(message.relation.name, message.new, [message.key, message.old], (message as StreamedChange).row);
        break;
      case 'delete':
        this.row(message.relation.name, [message.key, message.old]);
        this.keep(message.relation.name, null, [message.key, message.old], undefined);
        break;
      case 'truncate':
        for (const relation of message.relations) {
          const changes = this.of(relation.name);
          changes.truncated = true;
          changes.rows.clear();
        }
        this.changes++;
        break;
      default:
        break;
    }
  }

  /**
   * Whether the batch inserted rows that the stream brought whole: the apply copies them
   * straight into their table (recompute.ts), its longest wait on the target.
   */
  hasNewStreamedRows(): boolean {
    for (const changes of this.tables.values()) {
      if (changes.rows.size === 0) continue;
      for (const id of changes.inserted) if (changes.rows.get(id)) return true;
    }
    return false;
  }

  /** The end of a source transaction: the batch may be applied after it, never inside it. */
  commit(endLsn: string, commitTimeMs: number): void {
    this.transactions++;
    this.endLsn = endLsn;
    this.oldestCommit ??= commitTimeMs;
  }

  /** Takes in a whole source transaction: its changes in order, its id (32 bits, as the stream gives it) and its commit. */
  take(xid: number | undefined, changes: readonly StreamedMessage[], endLsn: string, commitTimeMs: number): void {
    for (const change of changes) this.add(change);
    if (xid !== undefined) this.xids.push(xid);
    this.commit(endLsn, commitTimeMs);
  }

  /**
   * Records what the stream says a row of a table it keeps is now: `row` (null when
   * deleted) under its id, and gone under an id it had before (`before`: an update's key
   * or old row). A row the stream did not bring whole (a TOASTed value an update left
   * alone is sent as unchanged) or past the budget is left to the source.
   */
  private keep(table: string, now: Record<string, unknown> | null, before: (Record<string, unknown> | null | undefined)[], row: StreamedRow | undefined): void {
    const column = this.idColumns.get(table);
    if (!this.streamed.tables.has(table) || column === undefined) return;
    const changes = this.of(table);
    if (changes.truncated) return;
    const id = now?.[column];
    for (const old of before) {
      const previous = old?.[column];
      if (previous !== undefined && previous !== null && String(previous) !== id) changes.rows.set(String(previous), null);
    }
    // A delete: its id was among `before`, now recorded as gone.
    if (now === null || typeof id !== 'string') return;
    const bytes = row === undefined ? 0 : row.line.length + ROW_OVERHEAD_BYTES;
    if (row === undefined || this.keptBytes + bytes > this.streamed.budgetBytes) {
      changes.rows.delete(id);
      return;
    }
    this.keptBytes += bytes;
    changes.rows.set(id, row);
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
