/** The type as `format_type` prints it, to compare a spec with an existing table. */
export function canonicalType(ddl: string): string {
  const match = /^\s*([A-Za-z]+)\s*(\(\s*\d+\s*(?:,\s*\d+\s*)?\))?/.exec(ddl);
  if (!match) return ddl.toLowerCase();
  const name = match[1]!.toLowerCase();
  const args = (match[2] ?? '').replace(/\s+/g, '');
  switch (name) {
    case 'varchar':
      return `character varying${args}`;
    case 'decimal':
    case 'numeric':
      return `numeric${args}`;
    case 'serial':
    case 'integer':
    case 'int':
      return 'integer';
    case 'timestamp':
      return 'timestamp without time zone';
    default:
      return name + args;
  }
}
