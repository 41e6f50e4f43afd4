/**
 * At most `size` copies at once, whatever they copy: whole tables, and the ranges of a
 * table in ranges side by side (--jobs). A table holds one slot while it copies (a
 * table in ranges gives it back before its indexes); each extra range worker needs one
 * more.
 */
export class Limiter {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** A slot if one is free now or comes free before `until` settles; false otherwise. */
  async acquireBefore(until: Promise<unknown>): Promise<boolean> {
    if (this.free > 0) {
      this.free--;
      return true;
    }
    return new Promise<boolean>((resolve) => {
      const grant = (): void => resolve(true);
      this.waiting.push(grant);
      const giveUp = (): void => {
        const i = this.waiting.indexOf(grant);
        // Already granted: the slot is ours, and `resolve(true)` has won.
        if (i < 0) return;
        this.waiting.splice(i, 1);
        resolve(false);
      };
      until.then(giveUp, giveUp);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}
