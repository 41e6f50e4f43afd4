import type pg from 'pg';
import { copyRows } from '../load/copy-rows.js';
import { loadLookupRules } from '../lookups/target-lookups.js';
import { inOneTrip } from '../pg/one-trip.js';
import { quoteIdent } from '../pg/quote.js';
import { createScratchTableSql } from '../schema/ddl.js';
import { claimants, claimedKeys, clearClaims, replaceClaims } from '../state/follow-state.js';
import type { AnyTableSpec } from '../table-spec/spec.js';
import { sourceIdsCondition, type RecomputeSessions } from './recompute.js';
import type { Scope } from './scopes.js';

/**
 * The key each of the table's source rows claims under its keep rule (its unique columns
 * after the rules; a row the rules reject claims nothing), winners and losers alike: the
 * table's rows (those `rangeWhere` selects) run through the rules with the keep rule off.
 */
async function claimsOf(source: pg.ClientBase, target: pg.ClientBase, spec: AnyTableSpec, rangeWhere?: string): Promise<Map<string, string>> {
  const scratch = `claves_${spec.target}`;
  await inOneTrip(target, [`DROP TABLE IF EXISTS pg_temp.${quoteIdent(scratch)}`, createScratchTableSql(spec, scratch)]);
  await copyRows({
    spec: { ...spec, unique: [] },
    source,
    target,
    rejects: { write: () => undefined, ready: () => null },
    lookupRules: await loadLookupRules(spec, target),
    rangeWhere,
    into: `pg_temp.${quoteIdent(scratch)}`,
  });
  const columns = spec.unique![0]!.map(quoteIdent);
  const key = columns.length === 1 ? `${columns[0]}::text` : `ROW(${columns.join(', ')})::text`;
  const { rows } = await target.query<{ id: string; clave: string }>(
    `SELECT ${quoteIdent(spec.primaryKey[0]!)}::text AS id, ${key} AS clave FROM pg_temp.${quoteIdent(scratch)} WHERE ${columns.map((c) => `${c} IS NOT NULL`).join(' AND ')}`,
  );
  return new Map(rows.map((r) => [r.id, r.clave]));
}

/**
 * The source rows whose keep-rule groups the changed `ids` leave or join: every row that
 * claims a key they claimed before or claim now (the group's next row wins when its
 * winner goes; a new row may beat the winner). The source is read as it is now, which
 * may be past the batch: a row pulled in by the key it claimed may claim another one by
 * now (its change comes in a later batch), and that key's rows come in too, until no row
 * claims a key whose group is not in. The claims of all these rows are brought up to date
 * in the apply transaction. A recompute of these rows, in the keep rule's order, decides
 * each group as the whole table would: a group's winner depends on its own rows alone.
 */
export async function groupMembers(sessions: RecomputeSessions, spec: AnyTableSpec, ids: ReadonlySet<string>): Promise<Set<string>> {
  const { source, target } = sessions;
  const members = new Set(ids);
  const now = new Map<string, string>();
  const explored = new Set<string>();
  let frontier = [...ids];
  while (frontier.length > 0) {
    const claims = await claimsOf(source, target, spec, await sourceIdsCondition(sessions, spec, frontier));
    for (const [id, key] of claims) now.set(id, key);
    const keys = new Set([...(await claimedKeys(target, spec.target, frontier)), ...claims.values()].filter((key) => !explored.has(key)));
    for (const key of keys) explored.add(key);
    frontier = keys.size === 0 ? [] : [...(await claimants(target, spec.target, [...keys]))].filter((id) => !members.has(id));
    for (const id of frontier) members.add(id);
  }
  await replaceClaims(target, spec.target, [...members], now);
  return members;
}

/** A scope of changed rows of a keep-rule table, widened to the rows of their groups. */
export async function withGroupMembers(sessions: RecomputeSessions, spec: AnyTableSpec, scope: Scope): Promise<Scope> {
  if (scope.whole || scope.groups !== true) return scope;
  return { ...scope, ids: await groupMembers(sessions, spec, scope.ids), groups: false, members: true };
}

/** Every row's claim as the source session sees it: at the start of a follow (the slot's snapshot), or after a whole recompute. */
export async function seedGroups(source: pg.ClientBase, target: pg.ClientBase, spec: AnyTableSpec): Promise<void> {
  await clearClaims(target, spec.target);
  const claims = await claimsOf(source, target, spec);
  await replaceClaims(target, spec.target, [], claims);
}
