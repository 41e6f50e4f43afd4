import t from 'tap';
import { BufferCollector, startBufferCollector } from '../lib/cli/buffer-collector.js';

const MB = 1024 * 1024;

/**
 * Buffers that a collection frees down to `live`, and a heap down to `liveHeap`. As in V8,
 * the heap shrinks when the collection returns and the dead buffers' memory only after it.
 */
function fakeHeap(live: number, liveHeap = 0) {
  const heap = { bytes: live, heapBytes: liveHeap, collections: 0 };
  return {
    heap,
    arrayBuffers: () => heap.bytes,
    heapUsed: () => heap.heapBytes,
    collect: () => {
      heap.collections++;
      heap.heapBytes = liveHeap;
      setImmediate(() => (heap.bytes = live));
    },
  };
}

/** Once V8 has given back the buffers of the last collection. */
const released = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

t.test('dead buffers past the floor are collected, and not before', async (t) => {
  const { heap, arrayBuffers, heapUsed, collect } = fakeHeap(3 * MB);
  const collector = new BufferCollector({ floorBytes: 16 * MB, arrayBuffers, heapUsed, collect });
  heap.bytes = 16 * MB;
  t.equal(collector.check(), false, 'at the floor: nothing to do');
  heap.bytes = 40 * MB;
  t.equal(collector.check(), true);
  t.equal(collector.check(), false, 'not again while V8 gives the buffers back');
  await released();
  t.equal(heap.bytes, 3 * MB, 'the dead buffers went');
  t.equal(heap.collections, 1);
  t.equal(collector.check(), false, 'right after, nothing to collect');
});

t.test('live buffers above the floor do not make it collect on every check', async (t) => {
  // Many jobs at once: 20 MB of buffers in use, more than the floor.
  const { heap, arrayBuffers, heapUsed, collect } = fakeHeap(20 * MB);
  const collector = new BufferCollector({ floorBytes: 16 * MB, arrayBuffers, heapUsed, collect });
  heap.bytes = 25 * MB;
  t.equal(collector.check(), true);
  await released();
  for (const bytes of [21, 30, 39]) {
    heap.bytes = bytes * MB;
    t.equal(collector.check(), false, `${bytes} MB is under twice what stayed alive`);
  }
  heap.bytes = 41 * MB;
  t.equal(collector.check(), true, 'past twice the live buffers: collected');
  t.equal(heap.collections, 2);
});

t.test('the bound comes back down to the floor once the live buffers go', async (t) => {
  const { heap, arrayBuffers, heapUsed } = fakeHeap(0);
  let live = 30 * MB;
  const collector = new BufferCollector({ floorBytes: 16 * MB, arrayBuffers, heapUsed, collect: () => void setImmediate(() => (heap.bytes = live)) });
  heap.bytes = 50 * MB;
  t.ok(collector.check());
  await released();
  live = 2 * MB;
  heap.bytes = 61 * MB;
  t.ok(collector.check(), 'over twice 30 MB');
  await released();
  heap.bytes = 17 * MB;
  t.ok(collector.check(), 'the bound is the floor again, not 60 MB');
});

t.test('regression: buffers V8 gives back after the collection returns do not double the bound', async (t) => {
  // Right after gc(), arrayBuffers still counts the buffers it found dead; read then, the
  // bound became twice the floor and the buffers and the heap grew together up to it.
  const { heap, arrayBuffers, heapUsed, collect } = fakeHeap(3 * MB);
  const collector = new BufferCollector({ floorBytes: 16 * MB, arrayBuffers, heapUsed, collect });
  heap.bytes = 17 * MB;
  t.equal(collector.check(), true);
  t.equal(heap.bytes, 17 * MB, 'not given back yet when gc() returns');
  await released();
  heap.bytes = 17 * MB;
  t.equal(collector.check(), true, 'past the floor again: collected, the bound is still 16 MB');
  t.equal(heap.collections, 2);
});

t.test('a heap past its floor is collected, and not before (a follow: its objects die old)', async (t) => {
  const { heap, arrayBuffers, heapUsed, collect } = fakeHeap(1 * MB, 15 * MB);
  const collector = new BufferCollector({ floorBytes: 16 * MB, heapFloorBytes: 32 * MB, arrayBuffers, heapUsed, collect });
  heap.heapBytes = 32 * MB;
  t.equal(collector.check(), false, 'at the floor: nothing to do');
  heap.heapBytes = 60 * MB;
  t.equal(collector.check(), true);
  t.equal(heap.heapBytes, 15 * MB, 'the dead objects went');
  t.equal(heap.collections, 1);
  t.equal(collector.check(), false, 'right after, nothing to collect');
});

t.test('a heap alive above its floor does not make it collect on every check', async (t) => {
  const { heap, arrayBuffers, heapUsed, collect } = fakeHeap(1 * MB, 40 * MB);
  const collector = new BufferCollector({ floorBytes: 16 * MB, heapFloorBytes: 32 * MB, arrayBuffers, heapUsed, collect });
  heap.heapBytes = 45 * MB;
  t.equal(collector.check(), true);
  await released();
  heap.heapBytes = 79 * MB;
  t.equal(collector.check(), false, 'under twice the 40 MB alive');
  heap.heapBytes = 81 * MB;
  t.equal(collector.check(), true, 'past twice what stayed alive: collected');
  t.equal(heap.collections, 2);
});

t.test('a bad floor is refused with what was given', async (t) => {
  t.throws(() => new BufferCollector({ floorBytes: 0, collect: () => undefined }), /floorBytes debe ser positivo, se recibió 0/);
  t.throws(() => new BufferCollector({ heapFloorBytes: -1, collect: () => undefined }), /heapFloorBytes debe ser positivo, se recibió -1/);
});

t.test('started, it checks on its own until stopped', async (t) => {
  let checks = 0;
  const collector = startBufferCollector({ everyMs: 5, arrayBuffers: () => (checks++, 0), collect: () => undefined });
  t.ok(collector !== null);
  await new Promise((resolve) => setTimeout(resolve, 60));
  collector!.stop();
  const seen = checks;
  t.ok(seen >= 2, `checked ${seen} times in 60 ms`);
  await new Promise((resolve) => setTimeout(resolve, 30));
  t.equal(checks, seen, 'none after stop');
});

t.test('without gc exposed (a program that imports the library) it does nothing', async (t) => {
  const global = globalThis as { gc?: () => void };
  const exposed = global.gc;
  delete global.gc;
  try {
    t.equal(startBufferCollector(), null);
  } finally {
    if (exposed !== undefined) global.gc = exposed;
  }
});
