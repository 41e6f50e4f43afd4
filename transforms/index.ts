import type { AnyTableSpec } from '../lib/spec.js';
import { clientes } from './clientes.js';
import { mensajes } from './mensajes.js';
import { profesiones } from './profesiones.js';
import { proveedor_profesiones } from './proveedor_profesiones.js';
import { proveedores } from './proveedores.js';
import { servicios_proveedor } from './servicios_proveedor.js';
import { sesiones } from './sesiones.js';
import { solicitudes_servicio } from './solicitudes_servicio.js';
import { tareas_programadas } from './tareas_programadas.js';

/** Every target table, in the contract's load order. */
export const TABLES: readonly AnyTableSpec[] = [
  profesiones,
  clientes,
  proveedores,
  proveedor_profesiones,
  servicios_proveedor,
  solicitudes_servicio,
  mensajes,
  sesiones,
  tareas_programadas,
];

export const TABLE_NAMES: readonly string[] = TABLES.map((t) => t.target);

/** Tables whose target-side lookups read another table, which must be loaded first. */
export const DEPENDS_ON: Readonly<Record<string, readonly string[]>> = {
  proveedor_profesiones: ['proveedores', 'profesiones'],
  servicios_proveedor: ['proveedores'],
  solicitudes_servicio: ['clientes'],
};

export function tableSpec(name: string): AnyTableSpec | undefined {
  return TABLES.find((t) => t.target === name);
}
