// Quoting for SQL text the tool builds itself. Values travel as parameters wherever
// the protocol allows; these are for the places it does not (identifiers, COPY queries,
// SET TRANSACTION SNAPSHOT).

export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** The inside of a standard string literal: single quotes doubled. */
export function escapeLiteralText(text: string): string {
  return text.replace(/'/g, "''");
}

export function quoteLiteral(text: string): string {
  return "'" + escapeLiteralText(text) + "'";
}
