import t from 'tap';
import { setImmediate as tick } from 'node:timers/promises';
import { Limiter } from '../lib/load/limiter.js';

t.test('never more than its size at once, and every waiter runs', async (t) => {
  const limiter = new Limiter(2);
  let running = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: 6 }, () =>
      (async () => {
        await limiter.acquire();
        most = Math.max(most, ++running);
        await tick();
        running--;
        limiter.release();
      })(),
    ),
  );
  t.equal(most, 2);
});

t.test('acquireBefore takes a slot that comes free in time', async (t) => {
  const limiter = new Limiter(1);
  await limiter.acquire();
  let never = (): void => undefined;
  const got = limiter.acquireBefore(new Promise<void>((resolve) => (never = resolve)));
  limiter.release();
  t.equal(await got, true);
  never();
  // The slot is held by the waiter now: another must wait.
  let second = false;
  void limiter.acquire().then(() => (second = true));
  await tick();
  t.equal(second, false);
  limiter.release();
  await tick();
  t.equal(second, true);
});

t.test('acquireBefore gives up when the work runs out, and leaves no slot behind', async (t) => {
  const limiter = new Limiter(1);
  await limiter.acquire();
  let runOut = (): void => undefined;
  const got = limiter.acquireBefore(new Promise<void>((resolve) => (runOut = resolve)));
  runOut();
  t.equal(await got, false);
  limiter.release();
  // The one slot is free again: the next acquire takes it at once.
  let taken = false;
  void limiter.acquire().then(() => (taken = true));
  await tick();
  t.equal(taken, true);
});
