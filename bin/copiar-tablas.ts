#!/usr/bin/env -S node --max-semi-space-size=2 --expose-gc
// A 2 MB young generation instead of V8's 16 MB: the copy allocates little on the heap,
// so with the default the dead socket buffers of COPY TO waited long for a collection.
// Peak RSS of `--table mensajes` at 1M rows 147 → 100 MB, and no slower (README, Performance).
// --expose-gc: the buffers that still outlive the young generation are collected once they
// pass a bound (lib/cli/buffer-collector.ts): a nine-table run's peak at 1M 141–152 → 114–137 MB.
import { startBufferCollector } from '../lib/cli/buffer-collector.js';
import { main } from '../lib/cli/main.js';
import { TABLES } from '../transforms/index.js';

startBufferCollector();
process.exitCode = await main({ argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr }, TABLES);
