import { describe, expect, it } from 'vitest';
import type { NormalizedQuery } from '../../../src/core/query/query.js';
import type { Weighed } from '../../../src/core/verdict/decide.js';
import { costReason, fitReason, powerReason, speedReason, wordDecision } from '../../../src/core/verdict/words.js';
import { evaluation } from './evaluation.js';

const q = {
  workflow: 'chat',
  priority: 'balanced',
  contextTokens: 8192,
  promptTokens: 512,
  years: 3,
  hoursPerDay: 8,
  kwhPrice: 0.16,
} as NormalizedQuery;
const a = evaluation({ id: 'a', shortName: 'A' });
const b = evaluation({ id: 'b', shortName: 'B', decodeTokensPerSec: 40, secondsPerRequest: 12.6 });
const weighed = (o: Partial<Weighed> = {}): Weighed => ({
  kind: 'weighed',
  winner: a,
  scores: { speed: 1, ecosystem: 0, cost: 0, power: 0, noise: 0 },
  total: 0.4,
  faster: a,
  slower: b,
  speedRatio: 2.5,
  cheaper: a,
  dearer: b,
  costDiff: 0,
  quiet: a,
  loud: b,
  ...o,
});

describe('fitReason', () => {
  it.each([
    ['fits', a, 'A: fits (20.0 GB of 32.0 GB), ~100 tok/s.'],
    [
      'fits after raising the limit',
      evaluation({ memory: { needsRaisedLimit: true, raisedAvailableGB: 120 } }),
      'A: fits (20.0 GB of 120 GB after raising the GPU memory limit), ~100 tok/s.',
    ],
    [
      'offload',
      evaluation({ fit: 'offload', decodeTokensPerSec: 4.25, memory: { spillGB: 6.5 } }),
      'A: 6.5 GB of 20.0 GB spills to system RAM, so only ~4.3 tok/s.',
    ],
    [
      'does not fit',
      evaluation({ fit: 'none', memory: { requiredGB: 140, availableGB: 32 } }),
      'A: M Q4 needs 140 GB with 8,192 tokens of context; only 32.0 GB is usable.',
    ],
  ])('%s', (_, e, sentence) => expect(fitReason(e, 'M Q4', q)).toBe(sentence));
});

describe('reasons of a weighed decision', () => {
  it('speed: the ratio of decode speeds', () => {
    expect(speedReason(weighed(), q)).toBe('A generates 2.5x faster (~100 vs ~40 tok/s).');
  });
  it('speed: a long prompt adds the first-token times', () => {
    const slow = evaluation({ ...b, timeToFirstTokenSec: 2.5 });
    expect(speedReason(weighed({ slower: slow }), { ...q, promptTokens: 8000 })).toBe(
      'A generates 2.5x faster (~100 vs ~40 tok/s); first token after 8k tokens of prompt: 100 ms vs 2.5 s.',
    );
  });
  it('cost: overlapping totals cost about the same', () => {
    expect(costReason(weighed(), [a, b], q)).toBe(
      'Over 3 years both cost about the same ($3,000 vs $3,000, electricity at 8 h/day in use and idle otherwise, $0.16/kWh).',
    );
  });
  it('cost: disjoint totals name the gap', () => {
    const dear = evaluation({ ...b, totalUSD: { low: 4000, high: 4500 } });
    expect(costReason(weighed({ dearer: dear, costDiff: 1250 }), [a, dear], q)).toBe(
      'A costs ~$1,250 less over 3 years ($3,000 vs $4,000-$4,500, electricity at 8 h/day in use and idle otherwise, $0.16/kWh).',
    );
  });
  it('power and noise', () => {
    expect(powerReason(weighed())).toBe(
      'A draws ~300 W generating at the wall, B ~300 W generating; 40-45 dBA vs 40-45 dBA.',
    );
  });
});

describe('wordDecision: headlines', () => {
  it.each([
    [
      'neither fits',
      { kind: 'neither-fits' } as const,
      'Neither: M Q4 needs ~20.0 GB, more than either machine can hold.',
    ],
    ['neither runs', { kind: 'neither-runs' } as const, 'Neither runs chat with M Q4.'],
    [
      'only one',
      { kind: 'only-one', winner: a, loser: b } as const,
      'A: the only one of the two for M Q4; it does not fit on B.',
    ],
    ['faster', weighed(), 'A: 2.5x faster on M Q4 (~100 vs ~40 tok/s).'],
    ['tie', weighed({ winner: null }), 'Tie for M Q4: A is 2.5x faster, A is cheaper; your priority decides.'],
  ])('%s', (_, d, headline) => expect(wordDecision(d, [a, b], q, 'M Q4').headline).toBe(headline));

  it('a weighed decision puts the fit lines after the numbers, five at most', () => {
    const { reasons } = wordDecision(weighed(), [a, b], q, 'M Q4');
    expect(reasons).toHaveLength(5);
    expect(reasons.slice(3)).toEqual([
      'A: fits (20.0 GB of 32.0 GB), ~100 tok/s.',
      'B: fits (20.0 GB of 32.0 GB), ~40 tok/s.',
    ]);
  });
});
