/**
 * The rate limiter's cost per call as the number of active users grows (issue 11, L4): every
 * user asks in turn, so no bucket is idle and none may be dropped. The figure should stay flat
 * from 1,000 to 200,000 users. Runs alone with `npx tsx bench/rate-limit.ts`.
 */
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RateLimiter } from '../src/rate-limit.js';

/** A garbage collection on demand, so the heap column measures what the buckets hold. */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export interface RateLimitRow {
  activeUsers: number;
  microsPerCall: number;
  buckets: number;
  heapMB: number;
}

export function rateLimitBench(users = [1_000, 10_000, 50_000, 100_000, 200_000], calls = 300_000): RateLimitRow[] {
  const rows: RateLimitRow[] = [];
  for (const n of users) {
    let t = 0;
    const limiter = new RateLimiter(undefined, () => t);
    gc();
    const before = process.memoryUsage().heapUsed;
    // Every user once, then round after round: each call touches a bucket used n calls ago.
    for (let i = 0; i < n; i++) limiter.take(`g${i % 1000}`, `u${i}`);
    const started = performance.now();
    for (let j = 0; j < calls; j++) {
      t += 0.01;
      const i = j % n;
      limiter.take(`g${i % 1000}`, `u${i}`);
    }
    const micros = ((performance.now() - started) * 1000) / calls;
    gc();
    rows.push({
      activeUsers: n,
      microsPerCall: micros,
      buckets: limiter.size,
      heapMB: (process.memoryUsage().heapUsed - before) / 1e6,
    });
  }
  return rows;
}

export function rateLimitTable(rows: RateLimitRow[]): string {
  return [
    '| active users | µs per call | buckets held | heap added |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.activeUsers.toLocaleString('en-US')} | ${r.microsPerCall.toFixed(2)} | ${r.buckets.toLocaleString('en-US')} | ${r.heapMB.toFixed(0)} MB |`,
    ),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(rateLimitTable(rateLimitBench()));
