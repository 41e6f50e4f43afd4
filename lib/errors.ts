// Typed errors: a stable code for programs, a Spanish sentence for operators, and the
// exit status the CLI maps them to (2 = usage or configuration, found before any write;
// 1 = a table could not be migrated).

export type ErrorCode =
  | 'USO_INVALIDO'
  | 'TABLA_DESCONOCIDA'
  | 'CONEXION_FALLIDA'
  | 'ORIGEN_INCOMPLETO'
  | 'DESTINO_INCOMPATIBLE'
  | 'EJECUCION_EN_CURSO'
  | 'PERMISOS_INSUFICIENTES'
  | 'CUENTAS_NO_CUADRAN'
  | 'TABLA_FALLIDA'
  | 'DETENIDO';

export class CopiarError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: 1 | 2;
  readonly context: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { exitCode?: 1 | 2; context?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CopiarError';
    this.code = code;
    this.exitCode = options.exitCode ?? 2;
    this.context = options.context ?? {};
  }
}

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
