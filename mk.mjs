import { startEmbedded } from '/work/main/dist/scripts/embedded.js';
import { generateLegacy } from '/work/main/dist/benchmarks/generate.js';
import pg from 'pg';
const s = await startEmbedded();
const a = new pg.Client({ connectionString: s.url }); await a.connect(); await a.query('CREATE DATABASE b'); await a.end();
const url = s.url.replace(/\/postgres$/, '/b');
await generateLegacy(url, { messages: 1000000 });
console.log(url);
setInterval(() => {}, 1000);
