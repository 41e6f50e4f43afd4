import { validateUrl, type Endpoint } from '../pg/connection.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { selectTables } from '../table-spec/table-set.js';
import { tableNamesFrom, type Arguments } from './arguments.js';

export interface CliIO {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** What every command handler gets: the arguments, the streams and the tables it may name. */
export class CommandContext {
  /** URLs whose passwords are scrubbed from any message. */
  readonly secrets: (string | undefined)[];

  constructor(
    readonly args: Arguments,
    readonly io: CliIO,
    readonly catalog: readonly AnyTableSpec[],
  ) {
    this.secrets = [io.env.DATABASE_URL, io.env.SOURCE_DATABASE_URL, io.env.TARGET_DATABASE_URL];
  }

  private sourceUrl(): string {
    const url = validateUrl(this.args.source ?? this.io.env.SOURCE_DATABASE_URL ?? this.io.env.DATABASE_URL, 'origen');
    this.secrets.push(url);
    return url;
  }

  private targetUrl(): string {
    const url = validateUrl(this.args.target ?? this.io.env.TARGET_DATABASE_URL ?? this.io.env.DATABASE_URL, 'destino');
    this.secrets.push(url);
    return url;
  }

  /** The source: its URL and the root certificate to verify its TLS against. */
  source(): Endpoint {
    return { url: this.sourceUrl(), sslCa: this.args['source-ssl-ca'] ?? this.args['ssl-ca'] };
  }

  /** The source when a URL for it was given (flag or variable), for commands that can do without it. */
  sourceIfGiven(): Endpoint | undefined {
    return (this.args.source ?? this.io.env.SOURCE_DATABASE_URL ?? this.io.env.DATABASE_URL) === undefined ? undefined : this.source();
  }

  target(): Endpoint {
    return { url: this.targetUrl(), sslCa: this.args['target-ssl-ca'] ?? this.args['ssl-ca'] };
  }

  /** The tables named with --table (all when none), in load order. */
  selectedTables(): AnyTableSpec[] {
    return selectTables(this.catalog, tableNamesFrom(this.args));
  }

  out(text: string): void {
    this.io.stdout.write(text + '\n');
  }
}
