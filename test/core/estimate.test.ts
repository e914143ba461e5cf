import { describe, expect, it } from 'vitest';
import { estimateLine, type EstimateResult } from '../../src/core/estimate.js';
import { FIXED_COST_CHANGES, isEarlierBuild, paramsForBuild } from '../../src/core/physics/speed.js';
import { catalog } from '../helpers/catalog.js';

const line = (q: object) => estimateLine(catalog, JSON.stringify(q), 1);
const answer = (q: object) => {
  const r = line(q);
  if ('error' in r) throw new Error(r.error.message);
  return r as EstimateResult;
};

describe('estimate --jsonl: the build measured', () => {
  const query = { device: 'rtx-4090', model: 'llama-3.1-8b', quant: 'Q4_K_M' };

  it('a CUDA build from before CUDA graphs is estimated at its own, higher per-layer cost, and says so', () => {
    const current = answer(query);
    const older = answer({ ...query, build: '2023-12' });
    expect(older.decodeTokensPerSec!).toBeLessThan(current.decodeTokensPerSec!);
    expect(older.assumptions.join(' ')).toMatch(/build 2023-12: estimated as a build before llama\.cpp PR #6766/);
    expect(current.assumptions.join(' ')).not.toMatch(/PR #6766/);
  });

  it('a build from after both changes is a current build: the same decode, and the same prefill with FlashAttention on', () => {
    const current = answer(query);
    expect(answer({ ...query, build: '2024-06' }).decodeTokensPerSec).toBe(current.decodeTokensPerSec);
    expect(answer({ ...query, build: '2024-06', flashAttention: true }).prefillTokensPerSec).toBe(
      current.prefillTokensPerSec,
    );
    expect(answer({ ...query, build: '2025-11-02' }).prefillTokensPerSec).toBe(current.prefillTokensPerSec);
  });

  it('an earlier CUDA build also prefills at its own, lower efficiency, and says both', () => {
    const current = answer(query);
    const older = answer({ ...query, build: '2023-12' });
    expect(older.prefillTokensPerSec!).toBeLessThan(current.prefillTokensPerSec!);
    expect(older.assumptions.join(' ')).toMatch(/PR #7676/);
  });

  it('a Metal build from before PR #9698 pays the encoding overhead of its time', () => {
    const mac = { device: 'mac-studio-m4-max-128gb', model: 'qwen3-30b-a3b', quant: 'Q4_K_M' };
    expect(answer({ ...mac, build: '2024-05' }).decodeTokensPerSec!).toBeLessThan(answer(mac).decodeTokensPerSec!);
  });

  it('a build that is not a date is a clear error, not a silent current build', () => {
    for (const build of ['b6531', '2024-13', '2024-00', '2024-02-99', '24-05']) {
      const r = line({ ...query, build });
      expect('error' in r && r.error.code).toBe('INVALID_QUERY');
      expect('error' in r && r.error.message).toMatch(/build/);
    }
  });

  it('an MLX file runs on MLX, not on a llama.cpp build: its estimate and assumptions ignore the build', () => {
    const mlx = { device: 'mac-studio-m4-max-128gb', model: 'qwen3-30b-a3b', quant: 'MLX-4bit' };
    const dated = answer({ ...mlx, build: '2023-12' });
    expect(dated.decodeTokensPerSec).toBe(answer(mlx).decodeTokensPerSec);
    expect(dated.assumptions.join(' ')).not.toMatch(/build 2023-12/);
  });
});

describe('builds and the fixed-cost changes', () => {
  it('every calibrated backend with runs on both sides of its change has the earlier cost stored, and it is higher', () => {
    for (const backend of Object.keys(FIXED_COST_CHANGES) as (keyof typeof FIXED_COST_CHANGES)[]) {
      const p = catalog.calibration.decode[backend]!;
      expect(p.earlierBuildPerLayerMs).toBeGreaterThan(p.perLayerMs);
    }
  });

  it("the earlier CUDA prompt kernels are slower than today's", () => {
    const p = catalog.calibration.prefill.cuda!;
    expect(p.earlierBuildEfficiency).toBeLessThan(p.efficiency);
  });

  it('compares months, not strings of any length: a full date counts by its month', () => {
    expect(isEarlierBuild('cuda', '2024-04-30')).toBe(true);
    expect(isEarlierBuild('cuda', '2024-05-01')).toBe(false);
    expect(isEarlierBuild('rocm', '2020-01')).toBe(false);
    expect(isEarlierBuild('cuda', undefined)).toBe(false);
  });

  it('leaves the parameters untouched for a current build, and changes only the per-layer cost for an earlier one', () => {
    const p = catalog.calibration;
    expect(paramsForBuild(p, 'cuda', undefined)).toBe(p);
    expect(paramsForBuild(p, 'cuda', '2026-01')).toBe(p);
    const older = paramsForBuild(p, 'cuda', '2023-12');
    expect(older.decode.cuda).toEqual({ ...p.decode.cuda, perLayerMs: p.decode.cuda!.earlierBuildPerLayerMs });
    expect(older.prefill.cuda).toEqual({ ...p.prefill.cuda, efficiency: p.prefill.cuda!.earlierBuildEfficiency });
    expect(older.decode.metal).toBe(p.decode.metal);
    // Metal's prompt kernels have no change on record: an old Metal build prefills as today's.
    expect(paramsForBuild(p, 'metal', '2023-11').prefill).toBe(p.prefill);
  });
});

describe('estimate --jsonl: an Apple device given by its spec', () => {
  const spec = { memoryGB: 64, bandwidthGBs: 400, backend: 'metal', fp16Tflops: 10.4 };
  const query = (name?: string) => ({
    device: { ...spec, ...(name ? { name } : {}) },
    model: 'llama-3.1-8b',
    quant: 'Q4_K_M',
  });

  it("pays its generation's per-layer cost when its name says the chip, the shared one otherwise", () => {
    const byGeneration = catalog.calibration.decode.metal!.perLayerMsByGeneration ?? {};
    // The fit has current-build runs of the M1 generation: an M1 Max pays more per layer than a Mac
    // of the same bus whose chip nobody named.
    expect(byGeneration.m1).toBeGreaterThan(catalog.calibration.decode.metal!.perLayerMs);
    const m1 = answer(query('Apple M1 Max')).decodeTokensPerSec!;
    const unnamed = answer(query()).decodeTokensPerSec!;
    expect(m1).toBeLessThan(unnamed);
    // A generation without runs of its own (the M3) is answered at the shared cost.
    expect(byGeneration.m3).toBeUndefined();
    expect(answer(query('Apple M3 Max')).decodeTokensPerSec).toBe(unnamed);
  });
});

describe('estimate --jsonl: the prompt measured', () => {
  const twoCards = {
    device: { memoryGB: 24, bandwidthGBs: 1008, backend: 'cuda', gpus: 2, fp16Tflops: 330.3 },
    model: 'llama-3.1-8b',
    quant: 'Q4_K_M',
  };

  it('prefills a 512-token prompt unless told otherwise, as llama-bench pp512', () => {
    expect(answer(twoCards).prefillTokensPerSec).toBe(answer({ ...twoCards, promptTokens: 512 }).prefillTokensPerSec);
  });

  it('a longer prompt over two cards is pipelined: faster per token than pp512, though attention grows', () => {
    const pp512 = answer(twoCards).prefillTokensPerSec!;
    const pp4096 = answer({ ...twoCards, promptTokens: 4096 }).prefillTokensPerSec!;
    const oneCard = answer({ ...twoCards, device: { ...twoCards.device, gpus: 1 }, promptTokens: 4096 });
    expect(pp4096).toBeGreaterThan(pp512 * 1.3);
    expect(pp4096 / oneCard.prefillTokensPerSec!).toBeCloseTo(1.6, 6);
  });

  it('a micro-batch as large as the prompt leaves nothing to pipeline', () => {
    const q = { ...twoCards, promptTokens: 2048, microBatch: 2048 };
    const one = answer({ ...q, device: { ...twoCards.device, gpus: 1 } }).prefillTokensPerSec!;
    expect(answer(q).prefillTokensPerSec).toBeCloseTo(one, 6);
  });

  it('a prompt of no tokens is a clear error', () => {
    expect(line({ ...twoCards, promptTokens: 0 })).toHaveProperty('error');
  });
});

describe('estimate --jsonl: FlashAttention', () => {
  const q = { device: 'rtx-4090', model: 'llama-3.1-8b', quant: 'F16', promptTokens: 8192 };

  it('a build from before llama.cpp turned it on by default prefills a long prompt without it, and says so', () => {
    const old = answer({ ...q, build: '2024-05' });
    const now = answer({ ...q, build: '2025-11' });
    expect(old.prefillTokensPerSec!).toBeLessThan(now.prefillTokensPerSec! * 0.8);
    expect(old.assumptions.join(' ')).toMatch(/FlashAttention off/);
    expect(now.assumptions.join(' ')).not.toMatch(/FlashAttention/);
  });

  it('as stated, whatever the build', () => {
    expect(answer({ ...q, build: '2024-05', flashAttention: true }).prefillTokensPerSec).toBe(
      answer({ ...q, flashAttention: true }).prefillTokensPerSec,
    );
    expect(answer({ ...q, flashAttention: false }).prefillTokensPerSec).toBe(
      answer({ ...q, build: '2024-05' }).prefillTokensPerSec,
    );
  });
});
