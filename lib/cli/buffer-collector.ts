import v8 from 'node:v8';

/**
 * Socket and COPY buffers live outside V8's heap, and a buffer that outlived two young
 * collections (waiting in a stream while the other side was slower) is freed only by a
 * full collection. The heap of a copy stays small, so V8 starts one only once these dead
 * buffers reach ~64 MB: a nine-table run at 1M peaked at 141–152 MB of RSS with 3 MB of
 * live buffers and up to 70 MB of dead ones. Collecting when they pass a bound keeps them
 * there (114–137 MB), 3 to 11 collections a run (README, Architecture).
 *
 * The heap itself is watched the same way: a follow's objects (each change parsed, each
 * batch's queries and their results) die old, and V8 let the heap reach 40–61 MB with 17 MB
 * alive before collecting it on its own; the follower's peak RSS over a 100,000-change
 * replay was 141–148 MB, 127–131 MB with the heap collected past 48 MB. A forced collection
 * costs more than its pause (the follower's CPU grew by ~8 % at 48 MB, ~20 % at 32 MB for
 * 111–115 MB): hence a floor well above what a follow keeps alive.
 */
export interface BufferCollectorOptions {
  /** Collect once buffers pass this many bytes, or twice what the last collection left, whichever is more. */
  floorBytes?: number;
  /** The same for V8's heap. */
  heapFloorBytes?: number;
  /** Bytes of ArrayBuffers now (process.memoryUsage().arrayBuffers). */
  arrayBuffers?: () => number;
  /** Bytes of V8's heap in use now (objects alive and dead not yet collected). */
  heapUsed?: () => number;
  /** A full collection: Node's `gc`, there when Node runs with --expose-gc (the CLI's shebang). */
  collect?: () => void;
}

const BUFFER_FLOOR_BYTES = 16 * 1024 * 1024;
const HEAP_FLOOR_BYTES = 48 * 1024 * 1024;

export class BufferCollector {
  private readonly floor: number;
  private readonly heapFloor: number;
  private readonly arrayBuffers: () => number;
  private readonly heapUsed: () => number;
  private readonly collect: () => void;
  private bound: number;
  private heapBound: number;
  private settling = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: BufferCollectorOptions & { collect: () => void }) {
    this.floor = options.floorBytes ?? BUFFER_FLOOR_BYTES;
    if (!(this.floor > 0)) throw new RangeError(`floorBytes debe ser positivo, se recibió ${options.floorBytes}`);
    this.heapFloor = options.heapFloorBytes ?? HEAP_FLOOR_BYTES;
    if (!(this.heapFloor > 0)) throw new RangeError(`heapFloorBytes debe ser positivo, se recibió ${options.heapFloorBytes}`);
    this.arrayBuffers = options.arrayBuffers ?? (() => process.memoryUsage().arrayBuffers);
    this.heapUsed = options.heapUsed ?? (() => v8.getHeapStatistics().used_heap_size);
    this.collect = options.collect;
    this.bound = this.floor;
    this.heapBound = this.heapFloor;
  }

  /** Collects when the buffers or the heap passed their bound; each bound then follows what stayed alive, so live data never makes it collect on every check. */
  check(): boolean {
    if (this.settling) return false;
    if (this.arrayBuffers() <= this.bound && this.heapUsed() <= this.heapBound) return false;
    this.collect();
    this.heapBound = Math.max(this.heapFloor, 2 * this.heapUsed());
    // V8 gives back the buffers a collection found dead only after gc() returns: read right
    // away, arrayBuffers still counted them, the bound doubled to 32 MB and the buffers and
    // the heap then grew together up to it (solicitudes_servicio alone at 5M: peaks of
    // 112–141 MB over twelve runs, 112–116 MB over eight once read here). What stayed alive
    // is read once V8 has released the rest.
    this.settling = true;
    setImmediate(() => {
      this.settling = false;
      this.bound = Math.max(this.floor, 2 * this.arrayBuffers());
    }).unref();
    return true;
  }

  /** Checks every `everyMs` until stopped; the timer does not keep the process alive. */
  start(everyMs: number): this {
    this.stop();
    this.timer = setInterval(() => this.check(), everyMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/**
 * A collector checking every `everyMs` (100) for the rest of the process. Without `gc`
 * (Node started without --expose-gc, a program that imports the library) there is
 * nothing to run: null.
 */
export function startBufferCollector(options: BufferCollectorOptions & { everyMs?: number } = {}): BufferCollector | null {
  const collect = options.collect ?? (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) return null;
  return new BufferCollector({ ...options, collect }).start(options.everyMs ?? 100);
}
