/**
 * `npm run bench`: the figures the README reports. Core verdict and renderers (median, p99);
 * understanding a real question (readQuestion); planning every model for one machine;
 * signed /compare requests against POST /discord/interactions under concurrent load (autocannon),
 * beside a ceiling measured in the same run; cold start to a ready /healthz; resident memory
 * after the load; the rate limiter from 1,000 to 200,000 active users; what 3,000 half-sent
 * bodies make the server hold, and the replay guard's memory; two instances on one PostgreSQL behind a
 * round-robin proxy, and the cost per call of what they share; chart rendering (SVG build + PNG) and
 * bytes per chart. Loopback only; every loop is bounded in count and time.
 */
import { benchBodies, benchReplayGuard, bodiesRows, replayGuardLine } from './bodies.js';
import { chartBench, chartRows } from './charts.js';
import { coreBench } from './core.js';
import { CONNECTIONS, DURATION_S, httpBench, LOAD_QUERY, ROUNDS } from './http.js';
import { rateLimitBench, rateLimitTable } from './rate-limit.js';
import { sharedStoreBench, sharedStoreHeading, sharedStoreLines } from './shared-store.js';
import { understandingBench, understandingRows } from './understanding.js';
import { mediaPlanBench, mediaPlanRow, planBench, planRow } from './plan.js';

const core = coreBench();
console.log('\n## Core (per query, over 10 representative queries)\n');
console.log('| step | median | p99 |\n| --- | --- | --- |');
for (const r of core.rows) console.log(r);
const understanding = understandingBench();
console.log(
  `\n## Understanding a question (${understanding.questions} real questions, ${understanding.chips} chips in the catalog; one question at a time)\n`,
);
console.log('| step | median | p99 | |\n| --- | --- | --- | --- |');
for (const r of understandingRows(understanding)) console.log(r);
const planned = planBench();
console.log(`\n## Planning (${planned.n} plans: 5 machines x chat, coding, rag, one at a time)\n`);
console.log('| step | median | p99 | |\n| --- | --- | --- | --- |');
console.log(planRow(planned));
console.log(mediaPlanRow(mediaPlanBench()));
const charts = chartBench();
console.log(
  `\n## Charts (${charts.charted} of ${charts.answers} typical answers have one: the 10 core questions and 5 plans; one at a time)\n`,
);
console.log('| step | median | p99 | |\n| --- | --- | --- | --- |');
for (const r of chartRows(charts)) console.log(r);
const http = await httpBench();
const ratio = [...http.ratios].sort((a, b) => a - b)[Math.floor(http.ratios.length / 2)]!;
console.log(
  `\n## HTTP: signed /compare (${JSON.stringify(LOAD_QUERY)}) on POST /discord/interactions (${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION_S} s, loopback, ${http.responseBytes} B responses; the median round shown)\n`,
);
console.log(
  '| server | req/s | p50 | p99 | server CPU per request (median round) | errors + non-2xx |\n| --- | --- | --- | --- | --- | --- |',
);
console.log(
  `| whichgpu | ${http.ours.rps.toFixed(0)} | ${http.ours.p50} ms | ${http.ours.p99} ms | ${http.cpu.ours.toFixed(0)} µs | ${http.ours.errors} of ${http.ours.total} (all rounds) |`,
);
console.log(
  `| ceiling: bare node:http + Ed25519 verify | ${http.bare.rps.toFixed(0)} | ${http.bare.p50} ms | ${http.bare.p99} ms | ${http.cpu.bare.toFixed(0)} µs | ${http.bare.errors} of ${http.bare.total} (all rounds) |`,
);
console.log(
  `\nthroughput ratio, median of ${http.ratios.length} alternating rounds: ${ratio.toFixed(2)} (rounds: ${http.ratios.map((r) => r.toFixed(2)).join(', ')}; target >= 0.70) · p99 ${http.ours.p99} ms (target < 25) · errors ${http.ours.errors} (target 0)`,
);
console.log(
  `cold start to ready /healthz: ${http.starts.map((s) => `${s.toFixed(0)} ms`).join(', ')} (target < 500) · RSS after load: ${http.rss.toFixed(0)} MB (target < 120)`,
);
console.log(`\n${sharedStoreHeading()}\n`);
for (const line of sharedStoreLines(await sharedStoreBench({ build: false }), http.bare)) console.log(line);

console.log('\n## Rate limiter: cost per call by active users (every user asks in turn; none idle)\n');
console.log(rateLimitTable(rateLimitBench()));
console.log('\n## Half-sent bodies: what unauthenticated requests make the server hold (3,000 connections each)\n');
for (const row of bodiesRows(await benchBodies({ build: false }))) console.log(row);
console.log(`\n${replayGuardLine(benchReplayGuard())}`);
