import { describe, expect, it } from 'vitest';
import { decide, scoresOf, speedOf, totalScore, winnerOf, type Pair } from '../../../src/core/verdict/decide.js';
import type { NormalizedQuery } from '../../../src/core/query/query.js';
import { evaluation, power } from './evaluation.js';

const query = (o: Partial<NormalizedQuery> = {}): NormalizedQuery => ({
  model: 'm',
  modelInput: 'm',
  quant: 'Q4_K_M',
  contextTokens: 8192,
  depthTokens: 512,
  promptTokens: 512,
  workflow: 'chat',
  priority: 'balanced',
  devices: ['a', 'b'],
  hoursPerDay: 8,
  kwhPrice: 0.16,
  years: 3,
  tokensPerDay: null,
  apiPricePerMTok: null,
  imageSteps: null,
  imageResolution: null,
  kvCache: 'f16',
  datasetTokens: null,
  ...o,
});
const a = evaluation({ id: 'a', shortName: 'A' });
const b = evaluation({ id: 'b', shortName: 'B' });
const FRUSTRATING = 5;

describe('decide: who can run it at all', () => {
  it.each([
    ['neither fits', [{ fit: 'none' }, { fit: 'none' }], 'neither-fits', 'neither'],
    ['only the first fits', [{}, { fit: 'none' }], 'only-one', 'a'],
    ['only the second supports the workflow', [{ workflowSupport: { level: 'none', note: '' } }, {}], 'only-one', 'b'],
    [
      'both fit but neither supports it',
      [{ workflowSupport: { level: 'none', note: '' } }, { workflowSupport: { level: 'none', note: '' } }],
      'neither-runs',
      'neither',
    ],
  ] as const)('%s', (_, [x, y], kind, winner) => {
    const d = decide(
      [
        { ...a, ...x },
        { ...b, ...y },
      ] as Pair,
      query(),
      FRUSTRATING,
    );
    expect(d.kind).toBe(kind);
    expect(winnerOf(d)).toBe(winner);
  });

  it('an image verdict with nothing that fits an LLM is not "neither fits": image work needs no LLM', () => {
    const d = decide(
      [
        { ...a, fit: 'none' },
        { ...b, fit: 'none' },
      ],
      query({ workflow: 'image' }),
      FRUSTRATING,
    );
    expect(d.kind).toBe('neither-runs');
  });
});

describe('scoresOf: each dimension in favour of the first device', () => {
  it('equal devices score zero everywhere', () => {
    expect(scoresOf([a, b], 'chat')).toEqual({ speed: 0, ecosystem: 0, cost: 0, power: 0, noise: 0 });
  });
  it.each([
    ['2x faster per request is one point of speed', { secondsPerRequest: 2.55 }, 'speed', 1],
    ['4x faster is capped at 1.5', { secondsPerRequest: 5.1 / 4 }, 'speed', 1.5],
    ['1.5x cheaper over the years is one point of cost', { totalUSD: { low: 2000, high: 2000 } }, 'cost', 1],
    ['a third of the draw in use is one point', { power: power(100, 300) }, 'power', 1],
    ['20 dBA quieter is one point', { noise: { loadDbA: { low: 20, high: 25 }, summary: '' } }, 'noise', 1],
    ['full support against limited: one point (clamped)', {}, 'ecosystem', 1],
  ] as const)('%s', (_, o, dim, expected) => {
    const other = dim === 'ecosystem' ? { ...b, workflowSupport: { level: 'limited' as const, note: '' } } : b;
    expect(scoresOf([evaluation({ ...a, ...o }), other], 'chat')[dim]).toBeCloseTo(expected, 6);
  });
});

describe('speedOf: what a person waits for', () => {
  it('an image workflow uses images per second', () => {
    const e = evaluation({ images: [{ secondsPerImage: { low: 2, high: 6 } } as never] });
    expect(speedOf(e, 'image')).toBe(0.25);
  });
  it('fine-tuning uses the training tokens per second of the first method that runs (QLoRA, like for like)', () => {
    const e = evaluation({
      fineTuneRun: { seqLen: 2048, microBatch: 2, gradAccum: 4, datasetTokens: 1e7, datasetStated: false },
      fineTune: [
        { method: 'qlora', tokensPerSec: 1700 },
        { method: 'lora', tokensPerSec: 3100 },
      ] as never,
    });
    expect(speedOf(e, 'fine-tune')).toBe(1700);
  });
  it('serving uses the aggregate tok/s at the level the answer names', () => {
    const e = evaluation({ serving: { served: { aggregateTokensPerSec: 640 } } as never });
    expect(speedOf(e, 'serving')).toBe(640);
  });
  it('training uses prefill throughput, chat one request per its seconds', () => {
    expect(speedOf(a, 'training')).toBe(5000);
    expect(speedOf(evaluation({ secondsPerRequest: 4 }), 'chat')).toBe(0.25);
  });
});

describe('totalScore and the tie', () => {
  it('identical devices tie', () => {
    const d = decide([a, b], query(), FRUSTRATING);
    expect(d.kind === 'weighed' && d.winner).toBe(null);
    expect(winnerOf(d)).toBe('tie');
  });
  it('being the only one under the frustrating speed costs half a point', () => {
    const slow = evaluation({ ...a, decodeTokensPerSec: 3 });
    expect(totalScore([slow, b], query(), { speed: 0, ecosystem: 0, cost: 0, power: 0, noise: 0 }, FRUSTRATING)).toBe(
      -0.5,
    );
  });
  it('the priority weighs the dimensions: silence makes the quiet one win despite speed', () => {
    const quiet = evaluation({ ...b, noise: { loadDbA: { low: 10, high: 15 }, summary: '' }, secondsPerRequest: 7 });
    expect(winnerOf(decide([a, quiet], query({ priority: 'silence' }), FRUSTRATING))).toBe('b');
    expect(winnerOf(decide([a, quiet], query({ priority: 'speed' }), FRUSTRATING))).toBe('a');
  });
  it('a weighed decision names faster, cheaper and quieter, and the cost gap', () => {
    const cheap = evaluation({ ...b, totalUSD: { low: 2000, high: 2400 } });
    const d = decide([a, cheap], query(), FRUSTRATING);
    if (d.kind !== 'weighed') throw new Error(d.kind);
    expect([d.cheaper.id, d.dearer.id, d.costDiff, d.speedRatio]).toEqual(['b', 'a', 800, 1]);
  });
});
