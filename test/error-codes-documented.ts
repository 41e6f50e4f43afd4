// --json carries the error codes: programs branch on them, so each one is in the
// contract with the exit status it gives.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ERROR_CODES } from '../lib/errors.js';
import { PROJECT_ROOT } from './helpers/database.js';

const contract = readFileSync(path.join(PROJECT_ROOT, 'docs/contract.md'), 'utf8');

t.test('docs/contract.md lists every error code with its exit status', async (t) => {
  for (const [code, status] of Object.entries(ERROR_CODES)) {
    t.match(contract, new RegExp(`^\\| \`${code}\` \\| ${status} \\|`, 'm'), code);
  }
  const documented = [...contract.matchAll(/^\| `([A-Z_]+)` \| [12] \|/gm)].map((m) => m[1]);
  t.same(documented.filter((c) => !(c! in ERROR_CODES)), [], 'ningún código documentado que el programa no tenga');
});

