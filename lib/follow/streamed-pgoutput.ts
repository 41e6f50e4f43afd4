import { PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import { BACKSLASH, NEWLINE, TAB } from '../pg/copy-text.js';
import type { StreamedRow, StreamedTable } from './streamed-rows.js';

/** A change of a streamed table, with its row as COPY text when the stream brought all of it. */
export type StreamedChange = (Pgoutput.MessageInsert | Pgoutput.MessageUpdate | Pgoutput.MessageDelete) & { row?: StreamedRow };

/** A transaction's begin as the follow reads it: its id alone (the library also parses the commit's position and time, twice a change at one change per transaction). */
export interface StreamedBegin {
  tag: 'begin';
  xid: number;
}

/** A commit as the follow reads it: where its record ends (lsn.ts) and when it committed, in ms since the Unix epoch. */
export interface StreamedCommit {
  tag: 'commit';
  commitEndLsn: string;
  commitTimeMs: number;
}

/** What StreamedPgoutput gives: the library's messages, but begin, commit and the changes of streamed tables as here. */
export type StreamedMessage = Exclude<Pgoutput.Message, Pgoutput.MessageBegin | Pgoutput.MessageCommit> | StreamedBegin | StreamedCommit;

/** Where each field of a streamed table's rows is in the relation the stream describes. */
interface Layout {
  relation: Pgoutput.MessageRelation;
  idColumn: string;
  /** The relation's column of the id. */
  id: number;
  /** The id is part of the replica identity: a key tuple ('K') carries it; otherwise its null there is a placeholder. */
  idInKey: boolean;
  /** The relation's column of the prepared join's key, or -1. */
  key: number;
  /** Per field of the SELECT: the relation's column, or PREPARED; null when a field's column is not published (no rows kept). */
  fields: number[] | null;
}

/**
 * A WAL position as PostgreSQL writes it (`16/B374D848`, no leading zeros; lsn.ts). The
 * library pads it and builds it through BigInt: a third of the intake's parse.
 */
function lsnAt(buf: Buffer, offset: number): string {
  return `${buf.readUInt32BE(offset).toString(16).toUpperCase()}/${buf.readUInt32BE(offset + 4).toString(16).toUpperCase()}`;
}

// Microseconds from the Unix epoch to PostgreSQL's (2000-01-01).
const POSTGRES_EPOCH_MICROS = 946_684_800_000_000;

/**
 * A commit's time (microseconds since 2000-01-01, 64 bits) in ms since the Unix epoch,
 * without a BigInt: the sum in microseconds stays an exact integer (under 2^53 until the
 * year 2255), divided once, as the library's BigInt would be.
 */
function timeMsAt(buf: Buffer, offset: number): number {
  return (buf.readUInt32BE(offset) * 4_294_967_296 + buf.readUInt32BE(offset + 4) + POSTGRES_EPOCH_MICROS) / 1000;
}

const PREPARED = -1;
const CR = 0x0d;
const KIND_NULL = 0x6e; // 'n'
const KIND_TEXT = 0x74; // 't'

/**
 * pgoutput with the rows of streamed tables (streamed-rows.ts) decoded here: their
 * values go from the message straight into COPY text, in the order of the table's
 * SELECT, and only their ids become strings. The library's parser makes an object of
 * every row and a string of every value; at 86,000 messages per 100,000 changes that and
 * its garbage cost more CPU than the rules (measured: docs/performance-log.md, Following changes). Every other
 * message (begin, commit, relation, the other tables) goes to the library's parser.
 */
export class StreamedPgoutput extends PgoutputPlugin {
  private readonly layouts = new Map<number, Layout>();
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private kinds = new Uint8Array(64);
  private scratch: Buffer = Buffer.allocUnsafe(64 * 1024);

  constructor(
    options: ConstructorParameters<typeof PgoutputPlugin>[0],
    private readonly tables: ReadonlyMap<string, StreamedTable>,
  ) {
    super(options);
  }

  /** A StreamedMessage, typed as the library's for its event (the follower reads it as StreamedMessage). */
  override parse(buffer: Buffer): Pgoutput.Message {
    return this.streamed(buffer) as Pgoutput.Message;
  }

  streamed(buffer: Buffer): StreamedMessage {
    const tag = buffer[0];
    // A transaction's begin and commit, at one change per transaction as many as the changes.
    if (tag === 0x42 /* B */) return { tag: 'begin', xid: buffer.readInt32BE(17) };
    if (tag === 0x43 /* C */) return { tag: 'commit', commitEndLsn: lsnAt(buffer, 10), commitTimeMs: timeMsAt(buffer, 18) };
    if (tag === 0x49 /* I */ || tag === 0x55 /* U */ || tag === 0x44 /* D */) {
      const layout = this.layouts.get(buffer.readInt32BE(1));
      if (layout !== undefined) return this.change(tag, buffer, layout);
    }
    // Begin and commit never get here: the library's parser gives none of its own.
    const message = super.parse(buffer) as Exclude<Pgoutput.Message, Pgoutput.MessageBegin | Pgoutput.MessageCommit>;
    if (message.tag === 'relation') this.learn(message);
    return message;
  }

  private learn(relation: Pgoutput.MessageRelation): void {
    const table = this.tables.get(relation.name);
    if (table === undefined) {
      this.layouts.delete(relation.relationOid);
      return;
    }
    const index = (name: string): number => relation.columns.findIndex((c) => c.name === name);
    const id = index(table.idColumn);
    if (id < 0) {
      // Without its id a change names no row: the library's parser and the batch say so.
      this.layouts.delete(relation.relationOid);
      return;
    }
    let fields: number[] | null = [];
    let key = -1;
    for (const field of table.source.fields) {
      const column = index('column' in field ? field.column : field.preparedKey);
      // A publication made by an older copiar-tablas lists ids only: its rows are read at the source.
      if (column < 0) fields = null;
      if ('preparedKey' in field) key = column;
      fields?.push('column' in field ? column : PREPARED);
    }
    // pgoutput's column flags: bit 1 marks a column of the replica identity.
    this.layouts.set(relation.relationOid, { relation, idColumn: table.idColumn, id, idInKey: (relation.columns[id]!.flags & 1) === 1, key, fields });
  }

  private change(tag: number, buf: Buffer, layout: Layout): StreamedChange {
    const { relation, idColumn } = layout;
    let p = 5;
    if (tag === 0x49) {
      p = this.tuple(buf, p + 1);
      return { tag: 'insert', relation, new: { [idColumn]: this.text(buf, layout.id) }, ...this.row(buf, layout) };
    }
    const sub = buf[p];
    let before: Record<string, string | null | undefined> | null = null;
    if (sub === 0x4b /* K */ || sub === 0x4f /* O */) {
      p = this.tuple(buf, p + 1);
      // As the library reads a key tuple: a column outside the key is not there at all.
      before = { [idColumn]: sub === 0x4b && !layout.idInKey ? undefined : this.text(buf, layout.id) };
    } else if (tag === 0x44 || sub !== 0x4e /* N */) {
      throw new Error(`pgoutput: submensaje ${String.fromCharCode(sub ?? 0)} inesperado en ${relation.name}`);
    }
    const key = sub === 0x4b ? before : null;
    const old = sub === 0x4f ? before : null;
    if (tag === 0x44) return { tag: 'delete', relation, key, old };
    if (buf[p] !== 0x4e) throw new Error(`pgoutput: actualización de ${relation.name} sin fila nueva`);
    this.tuple(buf, p + 1);
    return { tag: 'update', relation, key, old, new: { [idColumn]: this.text(buf, layout.id) }, ...this.row(buf, layout) };
  }

  /** Reads a TupleData at `p` into starts/ends/kinds; returns the offset after it. */
  private tuple(buf: Buffer, p: number): number {
    const count = buf.readInt16BE(p);
    p += 2;
    if (count > this.kinds.length) {
      this.starts = new Int32Array(count);
      this.ends = new Int32Array(count);
      this.kinds = new Uint8Array(count);
    }
    for (let i = 0; i < count; i++) {
      const kind = buf[p++]!;
      this.kinds[i] = kind;
      if (kind === KIND_TEXT || kind === 0x62 /* b */) {
        const length = buf.readInt32BE(p);
        this.starts[i] = p + 4;
        p += 4 + length;
        this.ends[i] = p;
      } else if (kind !== KIND_NULL && kind !== 0x75 /* u */) {
        throw new Error(`pgoutput: tipo de valor ${String.fromCharCode(kind)} desconocido`);
      }
    }
    for (let i = count; i < this.kinds.length; i++) this.kinds[i] = 0;
    return p;
  }

  /** A column of the last tuple as text: null for NULL, undefined when not sent (unchanged TOAST, not published). */
  private text(buf: Buffer, column: number): string | null | undefined {
    const kind = this.kinds[column];
    if (kind === KIND_NULL) return null;
    if (kind !== KIND_TEXT) return undefined;
    return buf.toString('utf8', this.starts[column], this.ends[column]);
  }

  /** The last tuple as a streamed row, when every field's value came with it. */
  private row(buf: Buffer, layout: Layout): { row?: StreamedRow } {
    const { fields } = layout;
    if (fields === null) return {};
    let out: Buffer = this.scratch;
    let n = 0;
    let split = -1;
    for (let f = 0; f < fields.length; f++) {
      if (f > 0) {
        if (n + 1 > out.length) out = this.grow(n + 1);
        out[n++] = TAB;
      }
      const column = fields[f]!;
      if (column === PREPARED) {
        split = n;
        continue;
      }
      const kind = this.kinds[column];
      if (kind === KIND_NULL) {
        if (n + 2 > out.length) out = this.grow(n + 2);
        out[n++] = BACKSLASH;
        out[n++] = 0x4e; // N
        continue;
      }
      if (kind !== KIND_TEXT) return {};
      const start = this.starts[column]!;
      const end = this.ends[column]!;
      // Escaped, a value takes at most twice its bytes.
      if (n + 2 * (end - start) > out.length) out = this.grow(n + 2 * (end - start));
      for (let i = start; i < end; i++) {
        const c = buf[i]!;
        if (c === BACKSLASH || c === NEWLINE || c === CR || c === TAB) {
          out[n++] = BACKSLASH;
          out[n++] = c === BACKSLASH ? BACKSLASH : c === NEWLINE ? 0x6e : c === CR ? 0x72 : 0x74;
        } else out[n++] = c;
      }
    }
    if (n + 1 > out.length) out = this.grow(n + 1);
    out[n++] = NEWLINE;
    const key = layout.key < 0 ? null : (this.text(buf, layout.key) ?? null);
    return { row: { line: Buffer.from(out.subarray(0, n)), split, key } };
  }

  private grow(needed: number): Buffer {
    const bigger = Buffer.allocUnsafe(Math.max(needed, this.scratch.length * 2));
    this.scratch.copy(bigger);
    this.scratch = bigger;
    return bigger;
  }
}
