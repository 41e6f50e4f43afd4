/**
 * Work on one session from several tables at once, run one after another: pg queues a
 * query sent while another is in flight, but calling `query()` on a busy client is
 * deprecated (it goes away in pg 9).
 */
export class OneAtATime {
  private last: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.last.then(work, work);
    this.last = next.catch(() => undefined);
    return next;
  }
}
