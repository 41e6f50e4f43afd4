// Accepted words per target value (the target word itself is always accepted).
// Shared by the rules (lib/rules/enumeration.ts) and the CHECK constraints of the DDL.

export const TIPO_MENSAJE = {
  texto: ['text'],
  imagen: ['image'],
  audio: [],
  video: [],
  documento: ['document'],
  ubicacion: ['location'],
  contacto: ['contact'],
} as const;

export const ESTADO_PROCESAMIENTO = {
  pendiente: ['pending'],
  procesando: ['processing'],
  completado: ['completed'],
  error: ['failed'],
} as const;

export const ESTADO_PROVEEDOR = {
  activo: ['active'],
  inactivo: ['inactive'],
  suspendido: ['suspended'],
  verificacion_pendiente: ['pending', 'pending_verification'],
} as const;

export const ESTADO_VERIFICACION = {
  pendiente: ['pending'],
  verificada: ['verified'],
  rechazada: ['rejected'],
} as const;

export const TIPO_PRECIO = {
  fijo: ['fixed'],
  rango: ['range'],
  a_convenir: ['negotiable', 'to_agree'],
  hora: ['hourly', 'per_hour'],
} as const;

export const ESTADO_SESION = {
  activa: ['active'],
  inactiva: ['inactive'],
  expirada: ['expired'],
  error: [],
} as const;

export const TIPO_TAREA = {
  enviar_whatsapp: ['send_whatsapp'],
  recordatorio: ['reminder'],
  seguimiento: ['follow_up', 'followup'],
  feedback: [],
  notificacion: ['notification'],
} as const;

export const ESTADO_TAREA = {
  pendiente: ['pending'],
  en_progreso: ['in_progress', 'processing'],
  completada: ['completed'],
  fallida: ['failed'],
  cancelada: ['cancelled', 'canceled'],
} as const;

/** `CHECK (column IN (...))` over the target values, as the guide's DDL has it. */
export function checkIn(column: string, values: readonly string[]): string {
  return `CHECK (${column} IN (${values.map((v) => `'${v}'`).join(', ')}))`;
}

export function checkEnum(column: string, accepted: Record<string, readonly string[]>): string {
  return checkIn(column, Object.keys(accepted));
}
