import { RowRejection } from '../rules/rejection.js';

interface Key {
  /** Target column positions of the key. */
  columns: number[];
  names: string[];
  /** Kept key → the kept row's id. */
  seen: Map<string, string | null>;
}

/**
 * Duplicates on the target's UNIQUE keys, in one pass: the source is ordered by the keep
 * rule, so the first row seen for a key wins and later ones are `duplicado`, naming the
 * kept row. The engine hands over the output values of the columns it asks for.
 */
export class UniqueKeys {
  private readonly keys: Key[];
  /** Target positions whose values a row must hand over: the keys' columns and the kept id. */
  readonly remembered: ReadonlySet<number>;
  private readonly values: (string | null)[];

  constructor(
    unique: readonly string[][],
    private readonly keptIdColumn: string,
    private readonly keptIdTarget: number,
    targetIndex: (name: string) => number,
    columnCount: number,
  ) {
    this.keys = unique.map((names) => ({ columns: names.map(targetIndex), names, seen: new Map() }));
    // Values are only decoded for the duplicate check; tables without UNIQUE keys skip it.
    this.remembered = new Set(this.keys.length > 0 ? [keptIdTarget, ...this.keys.flatMap((k) => k.columns)] : []);
    this.values = new Array<string | null>(columnCount).fill(null);
  }

  get active(): boolean {
    return this.keys.length > 0;
  }

  remember(target: number, value: string | null): void {
    this.values[target] = value;
  }

  /** Throws `duplicado` when the row repeats a kept key; else the row claims its keys. */
  check(): void {
    if (this.keys.length === 0) return;
    const claimed: string[] = [];
    for (const key of this.keys) {
      const values = key.columns.map((c) => this.values[c]);
      // NULLs never collide in a UNIQUE constraint.
      if (values.some((v) => v === null)) {
        claimed.push('');
        continue;
      }
      const joined = values.join('\u0000');
      const kept = key.seen.get(joined);
      if (kept !== undefined) {
        const described = key.names.map((name, i) => `${name}=${values[i]}`).join(', ');
        throw new RowRejection('duplicado', `${described} ya migrado con ${this.keptIdColumn}=${kept}`);
      }
      claimed.push(joined);
    }
    // Only a row that passes every key claims them.
    const keptId = this.values[this.keptIdTarget] ?? null;
    this.keys.forEach((key, i) => {
      if (claimed[i] !== '') key.seen.set(claimed[i]!, keptId);
    });
  }
}
