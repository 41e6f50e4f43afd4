import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { EVENT_FIELDS } from '../lib/cli/render/json-events.js';
import { runCli } from './helpers/cli.js';
import { freshDatabase, PROJECT_ROOT } from './helpers/database.js';
import { generatedLegacyDatabase } from './helpers/generated.js';
import { stopAfterFirstRange } from './helpers/interrupt.js';

const dir = (label: string): string => mkdtempSync(path.join(tmpdir(), `${label}-`));

t.test('docs/contract.md lists every --json event with exactly its fields', async (t) => {
  const doc = readFileSync(path.join(PROJECT_ROOT, 'docs/contract.md'), 'utf8');
  const documented = new Map([...doc.matchAll(/^\| `([a-z_]+)` \| (`.*) \|$/gm)].map((m) => [m[1]!, m[2]!]));
  for (const [event, fields] of Object.entries(EVENT_FIELDS)) {
    t.equal(documented.get(event), Object.entries(fields).map(([k, type]) => `\`${k}\` ${type}`).join(', '), event);
  }
  t.same([...documented.keys()].filter((e) => !(e in EVENT_FIELDS)), [], 'nada documentado que no exista');
});

/** Every key snake_case and every number with three decimals at most, all the way down. */
function badValues(value: unknown, at: string, found: string[]): string[] {
  if (typeof value === 'number' && Math.abs(value * 1000 - Math.round(value * 1000)) > 1e-6) found.push(`${at}=${value}`);
  if (Array.isArray(value)) value.forEach((v, i) => badValues(v, `${at}[${i}]`, found));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (!/^[a-z0-9_]+$/.test(k)) found.push(`${at}.${k}`);
      badValues(v, `${at}.${k}`, found);
    }
  }
  return found;
}

function typeOf(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

/** Each stdout line against the documented shape: no field missing, none extra, each of its type. */
function checkLines(t: Test, stdout: string, label: string): string[] {
  const events: string[] = [];
  for (const line of stdout.trim().split('\n')) {
    const object = JSON.parse(line) as Record<string, unknown>;
    const { event, version, time, ...rest } = object;
    const fields = EVENT_FIELDS[String(event)];
    t.ok(fields, `${label}: evento conocido ${String(event)}`);
    if (!fields) continue;
    events.push(String(event));
    t.equal(version, 1, `${label} ${String(event)}: version`);
    t.ok(typeof time === 'string' && !Number.isNaN(Date.parse(time)), `${label} ${String(event)}: time`);
    const problems: string[] = [];
    for (const [key, spec] of Object.entries(fields)) {
      const optional = spec.endsWith('?');
      const type = spec.replace('?', '');
      if (!(key in rest) || rest[key] === null) {
        if (!optional) problems.push(`falta ${key}`);
      } else if (typeOf(rest[key]) !== type) problems.push(`${key} es ${typeOf(rest[key])}, no ${type}`);
    }
    for (const key of Object.keys(rest)) if (!(key in fields)) problems.push(`sobra ${key}`);
    problems.push(...badValues(object, String(event), []));
    t.same(problems, [], `${label} ${String(event)}: la forma documentada`);
  }
  return events;
}

t.test('every command with --json prints only documented objects, a failure included', async (t) => {
  const source = await generatedLegacyDatabase(t, 12_000);
  const target = await freshDatabase(t);
  const env = { SOURCE_DATABASE_URL: source, TARGET_DATABASE_URL: target };
  const seen = new Set<string>();
  const stopped = await stopAfterFirstRange({ source, target }, ['--json', '--range-rows', '2000', '--report-dir', dir('json')], env);
  t.equal(stopped.code, 1, stopped.stderr);
  for (const e of checkLines(t, stopped.stdout, 'parada')) seen.add(e);
  const resumed = await runCli(['--resume', '--json'], env);
  t.equal(resumed.code, 0, resumed.stderr);
  for (const e of checkLines(t, resumed.stdout, '--resume')) seen.add(e);
  t.ok(resumed.stdout.includes('"kept":true'), 'lo conservado se dice');
  for (const [label, args, code] of [
    ['plan', ['plan', '--json'], 0],
    ['verify', ['verify', '--json', '--table', 'profesiones'], 0],
    ['rollback', ['rollback', '--json'], 2],
    ['error', ['--json', '--table', 'no_existe'], 2],
    // pg_dump may be missing or of another major than the server: done or an error, both in shape.
    ['backup', ['backup', '--json', '--out', dir('copia')], null],
  ] as const) {
    const r = await runCli([...args], env);
    if (code !== null) t.equal(r.code, code, `${label}: ${r.stderr}`);
    for (const e of checkLines(t, r.stdout, label)) seen.add(e);
  }
  const expected = ['run_start', 'snapshot', 'table_start', 'table_progress', 'table_done', 'table_failed', 'table_not_started', 'run_done', 'plan', 'table_verified', 'verify_progress', 'verify_done', 'rollback_done', 'error'];
  t.same(expected.filter((e) => !seen.has(e)), [], 'cada clase de evento se vio en una ejecución real');
});
