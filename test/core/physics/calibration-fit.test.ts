import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  calibrate,
  fitDecode,
  fitPrefill,
  MAX_STREAM_EFFICIENCY,
  type CalibrationPoint,
} from '../../../src/core/physics/calibration-fit.js';
import { prefillTokensPerSec } from '../../../src/core/physics/speed.js';
import { CalibrationFileSchema } from '../../../src/core/catalog/schema.js';
import { estimateArchitecture } from '../../../src/core/query/architecture.js';
import {
  buildMonthOf,
  flashAttentionOf,
  launchBound,
  loadPoints,
  olderPromptKernels,
  root,
  statedFlashAttention,
  statedMicroBatch,
} from '../../../scripts/calibration-points.js';

/** A decode run on a CUDA card of `bw` GB/s that took `t` seconds a token. */
const tgPoint = (bw: number, model: CalibrationPoint['model'], gb: number, t: number): CalibrationPoint => ({
  device: `d${bw}`,
  backend: 'cuda',
  bandwidthGBs: bw,
  fp16Tflops: 100,
  model,
  weightsGB: gb,
  family: 'float',
  metric: 'tg',
  depthTokens: 0,
  value: 1 / t,
});

describe('fitDecode', () => {
  it('recovers the efficiency and per-layer cost that generated synthetic runs', () => {
    const model = {
      ...estimateArchitecture({ paramsB: 8, layers: 32, kvHeads: 8, headDim: 128 }),
      embeddingParamsB: 0,
    };
    const points: CalibrationPoint[] = [];
    for (const bw of [200, 400, 800, 1600]) {
      for (const gb of [4, 8, 16]) {
        // 80% of bandwidth, 0.1 ms per layer: t = gb / (0.8 bw) + 3.2 ms
        const t = gb / (0.8 * bw) + 0.0032;
        points.push(tgPoint(bw, model, gb, t));
      }
    }
    const fit = fitDecode(points);
    expect(fit.decode.cuda!.efficiency).toBeCloseTo(0.8, 2);
    expect(fit.decode.cuda!.perLayerMs).toBeCloseTo(0.1, 2);
  });

  it("gives runs from builds that launched every kernel their own per-layer cost, and answers with today's", () => {
    const model = {
      ...estimateArchitecture({ paramsB: 8, layers: 32, kvHeads: 8, headDim: 128 }),
      embeddingParamsB: 0,
    };
    const points: CalibrationPoint[] = [];
    for (const [bw, old] of [
      [400, true],
      [800, true],
      [1600, true],
      [300, false],
      [900, false],
      [1800, false],
    ] as const) {
      for (const gb of [4, 8, 16]) {
        // Today 0.04 ms per layer; before CUDA graphs 0.15 ms; both at 85% of bandwidth.
        const t = gb / (0.85 * bw) + (32 * (old ? 0.15 : 0.04)) / 1000;
        points.push({ ...tgPoint(bw, model, gb, t), ...(old ? { launchBound: true } : {}) });
      }
    }
    const fit = fitDecode(points);
    expect(fit.decode.cuda!.efficiency).toBeCloseTo(0.85, 2);
    expect(fit.decode.cuda!.perLayerMs).toBeCloseTo(0.04, 2);
    expect(fit.launchBoundPerLayerMs.cuda).toBeCloseTo(0.15, 2);
    // With one kind of build only, there is one per-layer cost and no second one.
    expect(fitDecode(points.filter((p) => !p.launchBound)).launchBoundPerLayerMs).toEqual({});
  });

  it('gives each Apple generation with current-build runs of its own its own per-layer cost; the rest keep the shared one', () => {
    const model = {
      ...estimateArchitecture({ paramsB: 8, layers: 32, kvHeads: 8, headDim: 128 }),
      embeddingParamsB: 0,
    };
    const metal = (bw: number, gb: number, perLayerMs: number, generation: string, old = false): CalibrationPoint => ({
      ...tgPoint(bw, model, gb, gb / (0.85 * bw) + (32 * perLayerMs) / 1000),
      device: `Apple ${generation.toUpperCase()} ${bw}`,
      backend: 'metal',
      generation,
      source: `${generation} at ${bw} GB/s`,
      ...(old ? { launchBound: true } : {}),
    });
    const points: CalibrationPoint[] = [];
    for (const gb of [1, 4, 16]) {
      // Current builds: an M1 at 0.18 ms a layer, an M4 at 0.10; one M2 run; earlier builds 0.25 everywhere.
      points.push(metal(200, gb, 0.18, 'm1'), metal(800, gb, 0.18, 'm1'));
      points.push(metal(273, gb, 0.1, 'm4'), metal(546, gb, 0.1, 'm4'));
      points.push(metal(400, gb, 0.25, 'm3', true), metal(800, gb, 0.25, 'm2', true));
    }
    points.push(metal(800, 8, 0.14, 'm2'), metal(800, 16, 0.14, 'm2'));
    // The M5's runs, however many, come from one source.
    for (const gb of [1, 4, 16]) points.push({ ...metal(300, gb, 0.05, 'm5'), source: 'one bench' });
    const fit = fitDecode(points).decode.metal!;
    expect(fit.perLayerMsByGeneration?.m1).toBeCloseTo(0.18, 2);
    expect(fit.perLayerMsByGeneration?.m4).toBeCloseTo(0.1, 2);
    // The M2's two runs come from one source, the M5's too; the M3 has only earlier builds' runs.
    expect(Object.keys(fit.perLayerMsByGeneration ?? {})).toEqual(['m1', 'm4']);
    expect(fit.perLayerMs).toBeGreaterThan(0.05);
    expect(fit.perLayerMs).toBeLessThan(0.18);
  });

  it('dates a run by its build: a CUDA snapshot before May 2024 launched every kernel, a Metal build before October 2024 encoded with more overhead', () => {
    const run = (device: string, note: string, source = '') => ({ device, note, source });
    const cudaDec23 = run('NVIDIA RTX 4090 24GB', "LLaMA 2 overview table ('Average eval speed', Dec 2023 snapshot)");
    expect(launchBound('cuda', cudaDec23)).toBe(true);
    expect(launchBound('cuda', run('NVIDIA RTX 4090 24GB', 'LLaMA 3 table (May 2024 snapshot, llama-bench)'))).toBe(
      false,
    );
    expect(launchBound('metal', run('Apple M3 Max 40-core GPU', 'Dec 2023 snapshot'))).toBe(true);
    expect(launchBound('metal', run('Apple M2 Ultra', 'LLaMA 3 table (May 2024 snapshot)'))).toBe(true);
    expect(launchBound('metal', run('Apple M2 Ultra', 'gain', 'over-time table, 2024-11-12 build with FA'))).toBe(
      false,
    );
    // Nothing dates it: a current build.
    expect(launchBound('cuda', run('NVIDIA RTX 4090 24GB', 'llama-bench, build 6413'))).toBe(false);
  });

  it('dates a run by the build its source names, whatever the chip; by its post or table never before its chip shipped', () => {
    // llama.cpp discussion #4167 asks every machine to check out one commit: its M4 rows ran it too.
    const table = 'llama.cpp discussions/4167 (summary table, build 8e672ef 2023-11-21)';
    expect(buildMonthOf({ device: 'Apple M2 Max (30-core GPU, 400 GB/s)', source: table, note: '' })).toBe('2023-11');
    expect(buildMonthOf({ device: 'Apple M4 Max (40-core GPU, 546 GB/s)', source: table, note: '' })).toBe('2023-11');
    expect(
      buildMonthOf({
        device: 'NVIDIA DGX Spark GB10',
        source: 'llama.cpp build 2f68ce7cf (6918); 2025-11-02',
        note: '',
      }),
    ).toBe('2025-11');
    // A post's date with no build named: not before the chip.
    const post = { source: 'a blog post, 2024-05-10', note: '' };
    expect(buildMonthOf({ ...post, device: 'Apple M4 Max (40-core GPU)' })).toBe('2024-11');
    expect(buildMonthOf({ ...post, device: 'Apple M3 Ultra (80-core GPU)' })).toBe('2025-03');
    expect(buildMonthOf({ ...post, device: 'Apple M3 Max (40-core GPU)' })).toBe('2024-05');
    expect(buildMonthOf({ ...post, device: 'NVIDIA RTX 5090 32GB' })).toBe('2025-01');
    // The RTX 5000 Ada (2023) is not a Blackwell card.
    expect(buildMonthOf({ ...post, device: 'NVIDIA RTX 5000 Ada 32GB' })).toBe('2024-05');
    // Not a month: not a date.
    expect(buildMonthOf({ device: 'NVIDIA RTX 4090', source: 'run 2025-13', note: '' })).toBeUndefined();
    expect(buildMonthOf({ device: 'Apple M4 Pro', source: 'a PR', note: 'no date' })).toBeUndefined();
  });

  it("reads a run's micro-batch and FlashAttention as it states them, else FlashAttention as its build ran it", () => {
    expect(statedMicroBatch('llama-bench -fa 1 -ub 2048 -p 2048')).toBe(2048);
    expect(statedMicroBatch('(--ubatch-size 1024)')).toBe(1024);
    expect(statedMicroBatch('a -ubx 5 flag')).toBeUndefined();
    expect(statedFlashAttention('llama-bench -fa 1 -ub 2048')).toBe(true);
    expect(statedFlashAttention('llama.cpp Metal (build not stated, 2024-11, -fa)')).toBe(true);
    expect(statedFlashAttention('all layers on GPU, flash attention on')).toBe(true);
    expect(statedFlashAttention('llama-bench -fa 0')).toBe(false);
    expect(statedFlashAttention('--flash-attn off')).toBe(false);
    expect(statedFlashAttention('llama-bench -p 512 -n 128')).toBeUndefined();
    // Unstated: off on a build from before llama.cpp made it the default (PR #15434), on after.
    const may2024 = {
      device: 'NVIDIA RTX 4090 24GB',
      backend: 'llama.cpp CUDA',
      note: 'LLaMA 3 table (May 2024 snapshot)',
      source: '',
    };
    expect(flashAttentionOf(may2024)).toBe(false);
    expect(flashAttentionOf({ ...may2024, note: 'May 2024 snapshot; -fa 1' })).toBe(true);
    expect(flashAttentionOf({ ...may2024, note: '', source: 'a PR, 2025-11-02' })).toBe(true);
    expect(flashAttentionOf({ ...may2024, note: '' })).toBe(true);
  });

  it('splits CUDA prompt runs where it splits their decode, and Metal prompt runs not at all', () => {
    const may = { device: 'NVIDIA RTX 4090 24GB', note: 'LLaMA 3 table (May 2024 snapshot)', source: '' };
    expect(olderPromptKernels('cuda', may)).toBe(false);
    expect(olderPromptKernels('cuda', { ...may, note: 'Dec 2023 snapshot' })).toBe(true);
    expect(olderPromptKernels('metal', { ...may, device: 'Apple M2 Ultra', note: 'Dec 2023 snapshot' })).toBe(false);
  });

  it('marks the calibration runs of both earlier kinds of build, CUDA and Metal, and no others', () => {
    const older = loadPoints().filter((p) => p.launchBound);
    expect(new Set(older.map((p) => p.backend))).toEqual(new Set(['cuda', 'metal']));
    // The current Metal runs: the 2024-11 M2 Ultra rerun and the undated 2025 M4 Pro runs.
    expect(loadPoints().some((p) => p.backend === 'metal' && p.metric === 'tg' && !p.launchBound)).toBe(true);
  });

  it('fits the KV factor on the slowdown at depth alone, not as a knob on every run', () => {
    const model = {
      ...estimateArchitecture({ paramsB: 8, layers: 32, kvHeads: 8, headDim: 128 }),
      embeddingParamsB: 0,
    };
    const kvGB = (depth: number) => (2 * 32 * 8 * 128 * depth * 2) / 1e9;
    const point = (bw: number, depth: number, seconds: number): CalibrationPoint => ({
      device: `d${bw}`,
      backend: 'cuda',
      bandwidthGBs: bw,
      fp16Tflops: 100,
      model,
      weightsGB: 8,
      family: 'float',
      metric: 'tg',
      depthTokens: depth,
      value: 1 / seconds,
    });
    const points: CalibrationPoint[] = [];
    // Two devices measured at depth 0, 8k and 32k: the KV cache read 1.2 times.
    for (const bw of [400, 800])
      for (const depth of [0, 8192, 32768])
        points.push(point(bw, depth, (8 + 1.2 * kvGB(depth)) / (0.8 * bw) + 0.0032));
    // Two more measured only shallow, on an older and slower build: not evidence about depth.
    for (const bw of [200, 1600]) points.push(point(bw, 512, ((8 + kvGB(512)) / (0.8 * bw) + 0.0032) * 1.3));
    // Fitted on the total loss, the factor went to its bound of 1 here (and to 2.5 on the real CSV).
    const k = fitDecode(points).kvReadFactor;
    expect(k).toBeGreaterThan(1.1);
    expect(k).toBeLessThan(1.4);
  });

  it('never fits an efficiency above the physical bound', () => {
    const model = estimateArchitecture({ paramsB: 7 });
    const impossible: CalibrationPoint[] = [100, 200].map((bw) => ({
      device: `d${bw}`,
      backend: 'metal',
      bandwidthGBs: bw,
      fp16Tflops: 10,
      model,
      weightsGB: 4,
      family: 'float',
      metric: 'tg',
      depthTokens: 0,
      value: (bw / 4) * 1.5,
    }));
    expect(fitDecode(impossible).decode.metal!.efficiency).toBeLessThanOrEqual(MAX_STREAM_EFFICIENCY);
  });
});

describe('fitPrefill', () => {
  const model = { ...estimateArchitecture({ paramsB: 8, layers: 32, kvHeads: 8, headDim: 128 }), embeddingParamsB: 0 };
  const decodeFit = fitDecode([]);
  /** A 512-token prompt run on a card of `tflops` that its build ran at `efficiency`. */
  const ppPoint = (tflops: number, efficiency: number, old: boolean): CalibrationPoint => {
    const point: CalibrationPoint = {
      ...tgPoint(1000, model, 4.5, 1),
      device: `d${tflops}`,
      fp16Tflops: tflops,
      family: 'legacy',
      metric: 'pp',
      promptTokens: 512,
      ...(old ? { launchBound: true, olderPromptKernels: true } : {}),
    };
    const speed = { decode: { cuda: { efficiency: 0.8, perLayerMs: 0, familyFactor: {} } } };
    const params = { ...speed, prefill: { cuda: { efficiency } }, hostEfficiency: 0.5, kvReadFactor: 1 };
    const input = { device: point, model, weightsGB: 4.5, family: 'legacy' as const, promptTokens: 512 };
    const band = { low: 0, high: 0 };
    const residuals = {
      ...{ decodeMedianAbsPct: 0, decodeP90AbsPct: 0, decodeWithin30Pct: 0, decodeHoldoutMedianAbsPct: 0 },
      ...{ decodeHoldoutWithin30Pct: 0, prefillMedianAbsPct: 0, decodeBand: band, prefillBand: band },
    };
    return { ...point, value: prefillTokensPerSec(input, { ...params, residuals }) };
  };

  it("answers with today's builds where a backend has both: pre-tensor-core builds (before May 2024) fit their own", () => {
    const points = [100, 150, 200].flatMap((t) => [ppPoint(t, 0.45, false), ppPoint(t, 0.25, true)]);
    expect(fitPrefill(points, decodeFit).cuda!.efficiency).toBeCloseTo(0.45, 3);
    // The older builds' own efficiency is kept, for checks against runs of a stated build.
    expect(fitPrefill(points, decodeFit).cuda!.earlierBuildEfficiency).toBeCloseTo(0.25, 3);
    // Their residuals are measured against their own build: none is off.
    const rs = calibrate(points).prefillResiduals;
    expect(Math.max(...rs.map((r) => Math.abs(r.error)))).toBeLessThan(1e-3);
    // With one kind of build only, it sets the efficiency.
    expect(
      fitPrefill(
        points.filter((p) => p.olderPromptKernels),
        decodeFit,
      ).cuda!.efficiency,
    ).toBeCloseTo(0.25, 3);
  });
});

describe('data/calibration.json', () => {
  it('is what npm run calibrate produces from the shared CSV, and meets the accuracy bar', { timeout: 120_000 }, () => {
    const stored = CalibrationFileSchema.parse(
      JSON.parse(readFileSync(join(root, 'data', 'calibration.json'), 'utf8')),
    );
    // The attention factors come from the long-prompt runs (npm run calibrate); given them, the rest follows.
    const fresh = calibrate(loadPoints(), stored.attentionFactor).file;
    expect(fresh.decode).toEqual(stored.decode);
    expect(fresh.prefill).toEqual(stored.prefill);
    expect(fresh.residuals).toEqual(stored.residuals);
    expect(stored.residuals.decodeMedianAbsPct).toBeLessThan(12);
    expect(stored.residuals.decodeHoldoutWithin30Pct).toBeGreaterThanOrEqual(80);
  });
});
