import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  calibrate,
  fitDecode,
  MAX_STREAM_EFFICIENCY,
  type CalibrationPoint,
} from '../../../src/core/physics/calibration-fit.js';
import { CalibrationFileSchema } from '../../../src/core/catalog/schema.js';
import { estimateArchitecture } from '../../../src/core/query/architecture.js';
import { loadPoints, root } from '../../../scripts/calibration-points.js';

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
        points.push({
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
      }
    }
    const fit = fitDecode(points);
    expect(fit.decode.cuda!.efficiency).toBeCloseTo(0.8, 2);
    expect(fit.decode.cuda!.perLayerMs).toBeCloseTo(0.1, 2);
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

describe('data/calibration.json', () => {
  it('is what npm run calibrate produces from the shared CSV, and meets the accuracy bar', { timeout: 120_000 }, () => {
    const stored = CalibrationFileSchema.parse(
      JSON.parse(readFileSync(join(root, 'data', 'calibration.json'), 'utf8')),
    );
    const fresh = calibrate(loadPoints()).file;
    expect(fresh.decode).toEqual(stored.decode);
    expect(fresh.prefill).toEqual(stored.prefill);
    expect(fresh.residuals).toEqual(stored.residuals);
    expect(stored.residuals.decodeMedianAbsPct).toBeLessThan(12);
    expect(stored.residuals.decodeHoldoutWithin30Pct).toBeGreaterThanOrEqual(80);
  });
});
