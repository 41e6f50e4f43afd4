// Quoting for SQL text the tool builds itself. Values travel as parameters wherever
// the protocol allows; these are for the places it does not (identifiers, COPY queries,
// SET TRANSACTION SNAPSHOT). Literals are escape strings (E'...'): they read the same
// whatever the server's standard_conforming_strings, which a legacy source may have off.

export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** The inside of an escape string literal E'...': backslashes and single quotes doubled. */
export function escapeLiteralText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/'/g, "''");
}

export function quoteLiteral(text: string): string {
  return "E'" + escapeLiteralText(text) + "'";
}
