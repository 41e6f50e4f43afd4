// Typed errors: a stable code for programs (`--json` carries it), a Spanish sentence for
// operators. The exit status follows from the code: 2 for usage and configuration
// problems, found before anything is written; 1 for everything that goes wrong later.
// docs/contract.md lists every code.

export const ERROR_CODES = {
  USO_INVALIDO: 2,
  TABLA_DESCONOCIDA: 2,
  CONEXION_FALLIDA: 2,
  ORIGEN_INCOMPLETO: 2,
  DESTINO_INCOMPATIBLE: 2,
  DESTINO_CON_DATOS: 2,
  DISPARADORES_ACTIVOS: 2,
  PERMISOS_INSUFICIENTES: 2,
  EJECUCION_EN_CURSO: 2,
  POOLER_TRANSACCIONES: 2,
  PG_DUMP_FALTANTE: 2,
  INFORME_INCOMPLETO: 2,
  TABLAS_PADRE_VACIAS: 2,
  SEGUIMIENTO_NO_POSIBLE: 2,
  SEGUIMIENTO_INEXISTENTE: 2,
  SEGUIMIENTO_ACTIVO: 2,
  DETENIDO: 1,
  DISCO_LLENO: 1,
  CONEXION_PERDIDA: 1,
  INSTANTANEA_PERDIDA: 1,
  DEPENDENCIA_FALLIDA: 1,
  COPY_MALFORMADO: 1,
  CUENTAS_NO_CUADRAN: 1,
  TABLA_BLOQUEADA: 1,
  REFERENCIAS_ROTAS: 1,
  RECHAZOS_ILEGIBLES: 1,
  ERROR_SERVIDOR: 1,
  ROLLBACK_FALLIDO: 1,
  PG_DUMP_FALLIDO: 1,
  SEGUIMIENTO_FALLIDO: 1,
  CORTE_INCOMPLETO: 1,
  ERROR_INTERNO: 1,
} as const satisfies Record<string, 1 | 2>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class CopiarError extends Error {
  readonly code: ErrorCode;
  readonly context: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { context?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CopiarError';
    this.code = code;
    this.context = options.context ?? {};
  }

  get exitCode(): 1 | 2 {
    return ERROR_CODES[this.code];
  }
}
