/**
 * `npm run bench`: the figures the README reports. Core verdict and renderers (median, p99);
 * understanding a real question (readQuestion); planning every model for one machine;
 * signed /compare requests against POST /discord/interactions under concurrent load (autocannon),
 * beside a ceiling measured in the same run; cold start to a ready /healthz; resident memory
 * after the load; the rate limiter from 1,000 to 200,000 active users; what 3,000 half-sent
 * bodies make the server hold, and the replay guard's memory; two instances on one PostgreSQL behind a
 * round-robin proxy, and the cost per call of what they share; chart rendering (SVG build + PNG) and
 * bytes per chart, the bots' way (off the event loop) too, and the HTTP load with charts on and off. Loopback only; every loop is bounded in count and time.
 */
import { benchBodies, benchReplayGuard, bodiesRows, replayGuardLine } from './bodies.js';
import { chartBench, chartRows } from './charts.js';
import { coreBench } from './core.js';
import { CONNECTIONS, DURATION_S, FRESH_ROUNDS, httpBench, LOAD_QUERY, ROUNDS } from './http.js';
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
const charts = await chartBench();
console.log(
  `\n## Charts (${charts.charted} of ${charts.answers} typical answers have one: the 10 core questions and 5 plans; one at a time)\n`,
);
console.log('| step | median | p99 | |\n| --- | --- | --- | --- |');
for (const r of chartRows(charts)) console.log(r);
const http = await httpBench();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ratio = median(http.ratios);
const chartRatio = median(http.chartRatios);
const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
console.log(
  `\n## HTTP: signed /compare (${JSON.stringify(LOAD_QUERY)}) on POST /discord/interactions (${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION_S} s, loopback; the median round shown)\n`,
);
console.log(
  '| server | response | req/s | p50 | p99 | server CPU per request (median round) | errors + non-2xx |\n| --- | --- | --- | --- | --- | --- | --- |',
);
const row = (name: string, bytes: string, r: typeof http.ours) =>
  `| ${name} | ${bytes} | ${r.rps.toFixed(0)} | ${r.p50} ms | ${r.p99} ms | ${r.cpu.toFixed(0)} µs | ${r.errors} of ${r.total} (all rounds) |`;
console.log(row('whichgpu, CHARTS=off', `JSON, ${http.responseBytes} B`, http.ours));
console.log(row('ceiling: bare node:http + Ed25519 verify', `the same ${http.responseBytes} B`, http.bare));
console.log(
  row(
    'whichgpu with charts (the default; the chart from the cache)',
    `multipart, ${kb(http.chartResponseBytes)}`,
    http.charts,
  ),
);
console.log(row('ceiling returning those bytes', `the same ${kb(http.chartResponseBytes)}`, http.bareCharts));
console.log(
  `\nthroughput ratio to the ceiling, median of ${http.ratios.length} alternating rounds: CHARTS=off ${ratio.toFixed(2)} (rounds: ${http.ratios.map((r) => r.toFixed(2)).join(', ')}; target >= 0.70), with charts ${chartRatio.toFixed(2)} (rounds: ${http.chartRatios.map((r) => r.toFixed(2)).join(', ')}) · p99 ${http.ours.p99} ms off, ${http.charts.p99} ms with charts (target < 25) · errors ${http.ours.errors + http.charts.errors} (target 0)`,
);
console.log(
  `cold start to ready /healthz: ${http.starts.map((s) => `${s.toFixed(0)} ms`).join(', ')} (target < 500) · RSS after load: ${http.rss.off.toFixed(0)} MB CHARTS=off, ${http.rss.on.toFixed(0)} MB with charts (target < 120)`,
);
const { on, off } = http.fresh;
console.log(
  `\nEvery request a new question (hours a day unique to it, so no cache holds its verdict or chart), ${FRESH_ROUNDS} alternating rounds: with charts ${on.rps.toFixed(0)} req/s, p50 ${on.p50} ms, p99 ${on.p99} ms, ${on.cpu.toFixed(0)} µs CPU per request, ${((100 * on.charted) / Math.max(1, on.total)).toFixed(0)}% of answers carried their chart (the rest past the 700 ms budget or the queue), ${on.errors} errors · CHARTS=off ${off.rps.toFixed(0)} req/s, p50 ${off.p50} ms, p99 ${off.p99} ms, ${off.cpu.toFixed(0)} µs per request, ${off.errors} errors`,
);
console.log(`\n${sharedStoreHeading()}\n`);
for (const line of sharedStoreLines(await sharedStoreBench({ build: false }), http.bare)) console.log(line);

console.log('\n## Rate limiter: cost per call by active users (every user asks in turn; none idle)\n');
console.log(rateLimitTable(rateLimitBench()));
console.log('\n## Half-sent bodies: what unauthenticated requests make the server hold (3,000 connections each)\n');
for (const row of bodiesRows(await benchBodies({ build: false }))) console.log(row);
console.log(`\n${replayGuardLine(benchReplayGuard())}`);
