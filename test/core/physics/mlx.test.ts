import { describe, expect, it } from 'vitest';
import { fitMlx, type CalibrationPoint } from '../../../src/core/physics/calibration-fit.js';
import { decodeTokensPerSec, prefillTokensPerSec } from '../../../src/core/physics/speed.js';
import { resolveModel } from '../../../src/core/query/resolve.js';
import { catalog, device, model } from '../../helpers/catalog.js';

const params = catalog.calibration;
const mac = device('mac-studio-m4-max-128gb');

describe('MLX, a runtime of its own', () => {
  it('is fitted on MLX runs and used for MLX files only', () => {
    const mlx = params.runtimes?.mlx;
    expect(mlx).toBeDefined();
    expect(mlx!.points.decode).toBeGreaterThanOrEqual(4);
    const m = model('llama-3.1-8b');
    const run = (family: 'mlx' | 'k-quant', weightsGB: number) =>
      decodeTokensPerSec({ device: mac, model: m, weightsGB, family, depthTokens: 0 }, params);
    // Same bytes, different kernels: the MLX file's speed comes from the MLX fit.
    const withMlx = run('mlx', 4.9);
    const withoutMlx = decodeTokensPerSec(
      { device: mac, model: m, weightsGB: 4.9, family: 'mlx', depthTokens: 0 },
      { ...params, runtimes: {} },
    );
    expect(withMlx).not.toBeCloseTo(withoutMlx, 1);
    expect(run('k-quant', 4.9)).toBeCloseTo(
      decodeTokensPerSec(
        { device: mac, model: m, weightsGB: 4.9, family: 'k-quant', depthTokens: 0 },
        { ...params, runtimes: {} },
      ),
      6,
    );
    expect(prefillTokensPerSec({ device: mac, model: m, weightsGB: 4.9, family: 'mlx' }, params)).not.toBeCloseTo(
      prefillTokensPerSec({ device: mac, model: m, weightsGB: 4.9, family: 'k-quant' }, params),
      0,
    );
  });

  it('the fit recovers the efficiency and per-layer cost that made a set of runs', () => {
    const truth = {
      ...params,
      runtimes: {
        mlx: { efficiency: 0.7, perLayerMs: 0.15, prefillEfficiency: 0.5, points: { decode: 0, prefill: 0 } },
      },
    };
    const points: CalibrationPoint[] = (
      ['llama-3.1-8b', 'qwen2.5-32b', 'llama-3.1-70b', 'qwen3-30b-a3b'] as const
    ).flatMap((id) =>
      [0, 8192].map((depthTokens) => {
        const m = model(id);
        const weightsGB = (m.paramsB * 4.5) / 8;
        const input = { device: mac, model: m, weightsGB, family: 'mlx' as const, depthTokens };
        return {
          device: mac.name,
          backend: 'metal' as const,
          bandwidthGBs: mac.bandwidthGBs,
          fp16Tflops: mac.fp16Tflops,
          model: m,
          weightsGB,
          family: 'mlx' as const,
          metric: 'tg' as const,
          depthTokens,
          value: decodeTokensPerSec(input, truth),
        };
      }),
    );
    const fit = fitMlx(points, params)!;
    expect(fit.efficiency).toBeCloseTo(0.7, 2);
    expect(fit.perLayerMs).toBeCloseTo(0.15, 2);
  });

  it('reads MLX 6-bit and DWQ files by their own names and sizes', () => {
    const six = resolveModel(catalog, 'mlx-community/Qwen3-32B-6bit');
    expect(six.ok && six.value.quant?.id).toBe('MLX-6bit');
    expect(catalog.quant('MLX-4bit-DWQ')?.bitsPerWeight).toBe(4.5);
  });
});

describe('llama.cpp and MLX side by side on a Mac', () => {
  it('a verdict names the other runtime where it differs by more than the band, never on the PC', async () => {
    const { compare } = await import('../../../src/core/verdict/compare.js');
    const v = compare(catalog, { model: 'qwen3-30b-a3b', workflow: 'rag' });
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    const [pc, mac] = v.value.devices;
    expect(pc!.otherRuntime).toBeUndefined();
    expect(mac!.otherRuntime).toMatchObject({ runtime: 'MLX', quant: 'MLX-4bit' });
    expect(v.value.verdict.caveats.some((c) => /MLX \(MLX-4bit\) runs it at/.test(c))).toBe(true);
  });

  it('stays quiet where the two agree within the band', async () => {
    const { runtimesWords } = await import('../../../src/core/verdict/words.js');
    const { evaluation } = await import('../verdict/evaluation.js');
    const e = evaluation({
      decodeTokensPerSec: 50,
      decodeBand: { low: 44, high: 64 },
      prefillTokensPerSec: 500,
      otherRuntime: { runtime: 'MLX', quant: 'MLX-4bit', decodeTokensPerSec: 55, prefillTokensPerSec: 520 },
    });
    expect(runtimesWords(e)).toBeNull();
    expect(runtimesWords({ ...e, otherRuntime: { ...e.otherRuntime!, decodeTokensPerSec: 70 } })).toMatch(/MLX/);
  });
});
