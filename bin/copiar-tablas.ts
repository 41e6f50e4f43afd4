#!/usr/bin/env node
import { main } from '../lib/cli.js';

process.exitCode = await main({ argv: process.argv.slice(2), env: process.env, stdout: process.stdout, stderr: process.stderr });
