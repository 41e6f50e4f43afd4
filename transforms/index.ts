import type { AnyTableSpec } from '../lib/table-spec/spec.js';
import { clientes } from './clientes.js';
import { mensajes } from './mensajes.js';
import { profesiones } from './profesiones.js';
import { proveedor_profesiones } from './proveedor_profesiones.js';
import { proveedores } from './proveedores.js';
import { servicios_proveedor } from './servicios_proveedor.js';
import { sesiones } from './sesiones.js';
import { solicitudes_servicio } from './solicitudes_servicio.js';
import { tareas_programadas } from './tareas_programadas.js';

/**
 * Every target table, in the contract's load order. A table that reads others through
 * its target-side lookups waits for them (`targetLookups.reads`); the engine derives
 * the order from those declarations and keeps this one otherwise.
 */
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
