import { CopiarError, type ErrorCode } from '../errors.js';
import { scrubSecrets } from '../pg/secrets.js';
import { isTransient } from '../pg/transient.js';

export const RESUME_HINT = 'continúe con: npx copiar-tablas --resume';

export interface TableFailure {
  code: ErrorCode;
  message: string;
  /** The server's SQLSTATE, when the server refused something. */
  sqlstate?: string;
  stopped: boolean;
}

/** The code a failure is reported with: its own, or the kind of failure it is. */
function failureCode(error: unknown): ErrorCode {
  if (error instanceof CopiarError) return error.code;
  if (isTransient(error)) return 'CONEXION_PERDIDA';
  return sqlstateOf(error) === undefined ? 'ERROR_INTERNO' : 'ERROR_SERVIDOR';
}

function sqlstateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  // Five characters, digits and capitals: a SQLSTATE, not a Node error code.
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * A server message can quote the value it choked on, and a value can be a whole array of
 * phones (the prepared join): what the operator, --json and summary.json get is cut.
 */
const MESSAGE_LIMIT = 300;

function withoutData(message: string): string {
  if (message.length <= MESSAGE_LIMIT) return message;
  return `${message.slice(0, 120)}… (mensaje del servidor recortado: citaba ${message.length} caracteres de la consulta o de sus datos)`;
}

/** An error's message as the operator may see it: secrets scrubbed, quoted data cut. */
export function operatorMessage(error: unknown, secrets: readonly string[]): string {
  return withoutData(scrubSecrets(error instanceof Error ? error.message : String(error), secrets));
}

/** What to tell the operator about a table that failed or was stopped. */
export function describeTableFailure(error: unknown, options: { stopped: boolean; retries: number; secrets: readonly string[]; resumeHint?: string }): TableFailure {
  const hint = options.resumeHint ?? RESUME_HINT;
  const raw = operatorMessage(error, options.secrets);
  if (options.stopped) return { code: error instanceof CopiarError ? error.code : 'DETENIDO', message: `${raw}; ${hint}.`, stopped: true };
  // A bare "write EPIPE" says nothing to an operator: say what it was.
  const base = isTransient(error) ? `se perdió la conexión y no volvió en ${options.retries} reintentos (${raw})` : raw;
  const sqlstate = error instanceof CopiarError ? undefined : sqlstateOf(error);
  return { code: failureCode(error), message: `${base} (${hint})`, ...(sqlstate ? { sqlstate } : {}), stopped: false };
}
