import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { rejectDecoder, type RejectRecord } from '../../lib/rejects/reject-csv.js';
import type { FastRule } from '../../lib/rules/types.js';
import type { AnyTableSpec } from '../../lib/table-spec/spec.js';
import { TableTransform } from '../../lib/engine/table-transform.js';
import type { JoinInProcess } from '../../lib/engine/binary-input-engine.js';
import type { BinaryColumn } from '../../lib/pg/copy-binary.js';
import type { SourceType } from '../../lib/pg/copy-binary-in.js';

export interface TransformRun {
  output: string;
  /** The output as bytes (COPY binary is not text). */
  bytes: Buffer;
  /** Each rejected row as its reject-file line: motivo, detalle, id_origen, source values. */
  rejects: RejectRecord[];
  counters: { read: number; written: number; rejected: number; adjusted: number };
  /** The size of each buffer that went to the COPY FROM side. */
  writes: number[];
}

/** Runs a table's transform over COPY text (or, with `binaryInput`, COPY binary) given as a list of chunks. */
export async function runTransform(
  spec: AnyTableSpec,
  chunks: Buffer[],
  lookupRules?: Record<string, FastRule>,
  outputChunkSize?: number,
  maxRowBytes?: number,
  binary?: readonly BinaryColumn[],
  binaryInput?: readonly SourceType[],
  joinInProcess?: JoinInProcess,
): Promise<TransformRun> {
  const rejects: RejectRecord[] = [];
  const decode = rejectDecoder(spec);
  // Decoded at once: the row is a view into a buffer the transform may reuse.
  const transform = new TableTransform({ spec, lookupRules, outputChunkSize, maxRowBytes, binary, binaryInput, joinInProcess, rejects: { write: (r) => rejects.push(decode(r.reason, r.detail, r.row)), ready: () => null } });
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks, { objectMode: false }),
    transform,
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        out.push(chunk);
        cb();
      },
    }),
  );
  const bytes = Buffer.concat(out);
  return { output: bytes.toString('utf8'), bytes, rejects, counters: { ...transform.counters }, writes: out.map((b) => b.length) };
}

/** The input cut in two at `at`. */
export function cutAt(input: Buffer, at: number): Buffer[] {
  return [input.subarray(0, at), input.subarray(at)].filter((b) => b.length > 0);
}
