/**
 * A row that cannot be migrated without inventing data. Thrown by rules and caught by
 * the row engine, which sends the row to the reject file; it never aborts a table.
 * Deliberately not an Error: it is control flow on the hot path, and capturing a stack
 * trace per rejected row cost more than the rest of the row's work.
 */
export class RowRejection {
  constructor(readonly reason: string, readonly detail: string) {}

  get message(): string {
    return `${this.reason}: ${this.detail}`;
  }
}

export function reject(reason: string, detail: string): never {
  throw new RowRejection(reason, detail);
}
