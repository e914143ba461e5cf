import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { estimateLine } from '../../../src/core/estimate.js';
import { OFFLOAD_BOUNDS, fitOffload } from '../../../src/core/physics/calibration-fit.js';
import { DISK_READ_GBS, estimateMemory, pageCacheMissShare } from '../../../src/core/physics/memory.js';
import { placeModel } from '../../../src/core/physics/placement.js';
import { decodeTokensPerSec } from '../../../src/core/physics/speed.js';
import { splitWeights, streamedWeightsGB } from '../../../src/core/physics/weights.js';
import type { DeviceSpec } from '../../../src/core/catalog/specs.js';
import { catalog, model, quant } from '../../helpers/catalog.js';

/** An RTX 4070 12 GB on a dual-channel DDR5-6000 host (64 GB), as in carteakey.dev's runs. */
const rtx4070: DeviceSpec = {
  id: 'custom',
  name: 'RTX 4070',
  shortName: 'RTX 4070',
  backend: 'cuda',
  gpus: 1,
  unified: false,
  memoryGB: 12,
  bandwidthGBs: 504,
  fp16Tflops: 116,
  gpuBudget: { rule: 'dedicated' },
  hostMemoryGB: 64,
  hostBandwidthGBs: 96,
};
/** Decode tokens/s of a memory estimate's placement on a device, at depth 0. */
const offloadedTps = (
  device: DeviceSpec,
  m: Parameters<typeof estimateMemory>[1],
  mem: ReturnType<typeof estimateMemory>,
  family: Parameters<typeof decodeTokensPerSec>[0]['family'],
) =>
  decodeTokensPerSec(
    { device, model: m, weightsGB: mem.weightsGB, family, depthTokens: 0, placement: mem.placement! },
    catalog.calibration,
  );
const line = (q: object) => estimateLine(catalog, JSON.stringify(q), 1);
const spec4070 = { name: 'RTX 4070', memoryGB: 12, bandwidthGBs: 504, backend: 'cuda', fp16Tflops: 116 };

describe('how a file divides', () => {
  it('the parts a token reads add up to what decode streams', () => {
    for (const [id, q] of [
      ['llama-3.1-70b', 'Q4_K_M'],
      ['gpt-oss-120b', 'MXFP4'],
      ['qwen3-30b-a3b', 'Q4_K_M'],
      ['gemma-3-27b', 'Q8_0'],
    ] as const) {
      const m = model(id);
      const gb = m.fileGB[q] ?? (m.paramsB * quant(q).bitsPerWeight) / 8;
      const w = splitWeights(m, gb, quant(q).family);
      expect(w.headReadGB + m.layers * (w.layerDenseGB + w.layerExpertReadGB)).toBeCloseTo(
        streamedWeightsGB(m, gb, quant(q).family),
        6,
      );
      // And what is stored adds up to the file.
      expect(w.embeddingGB + w.headStoredGB + m.layers * (w.layerDenseGB + w.layerExpertGB)).toBeCloseTo(gb, 1);
    }
  });

  it('a dense model has no experts; gpt-oss keeps almost all its bytes in experts', () => {
    expect(splitWeights(model('llama-3.1-70b'), 42.5).layerExpertGB).toBe(0);
    const g = splitWeights(model('gpt-oss-120b'), 63.4, 'mxfp4');
    expect((g.layerExpertGB * 36) / 63.4).toBeGreaterThan(0.9);
  });

  it('an ad-hoc spec with few active parameters is split as a mixture of experts', () => {
    const m = { ...model('llama-3.1-70b'), paramsB: 80, activeParamsB: 3, moe: undefined };
    expect(splitWeights(m, 47).layerExpertGB).toBeGreaterThan(0);
  });
});

describe('where the runtime puts a model that does not fit', () => {
  it("llama.cpp's fit keeps a MoE's attention on the GPU and moves experts (gpt-oss-120b on 12 GB: 31 of 36 layers, as tuned by hand)", () => {
    const m = estimateMemory(rtx4070, model('gpt-oss-120b'), quant('MXFP4'), 4096);
    expect(m.fit).toBe('offload');
    expect(m.placement).toMatchObject({ kind: 'experts', gpuLayers: 36, outputOnGpu: true, gpuKvShare: 1 });
    expect(m.placement!.cpuMoeLayers).toBeGreaterThanOrEqual(30);
    expect(m.placement!.cpuMoeLayers).toBeLessThanOrEqual(32);
  });

  it('a dense model is split by whole layers, and the output head stays on the CPU', () => {
    const m = estimateMemory({ ...rtx4070, memoryGB: 24 }, model('llama-3.1-70b'), quant('Q4_K_M'), 4096);
    expect(m.placement).toMatchObject({ kind: 'layers', outputOnGpu: false, cpuMoeLayers: 0 });
    expect(m.placement!.gpuLayers).toBeGreaterThan(30);
    expect(m.placement!.gpuLayers).toBeLessThan(50);
  });

  it('Ollama splits a MoE by whole layers, which reads more from RAM per token than moving experts', () => {
    const m = model('gpt-oss-120b');
    const fitted = estimateMemory(rtx4070, m, quant('MXFP4'), 4096);
    const ollama = estimateMemory(rtx4070, m, quant('MXFP4'), 4096, 'f16', { runtime: 'ollama' });
    expect(ollama.placement!.kind).toBe('layers');
    expect(ollama.placement!.hostReadGB).toBeGreaterThan(fitted.placement!.hostReadGB);
    const speed = (mem: typeof fitted) => offloadedTps(rtx4070, m, mem, 'mxfp4');
    expect(speed(ollama)).toBeLessThan(speed(fitted));
  });

  it('a placement the user sets is kept, even where the model would fit', () => {
    const m = estimateMemory({ ...rtx4070, memoryGB: 24 }, model('qwen3-30b-a3b'), quant('Q4_K_M'), 4096, 'f16', {
      cpuMoeLayers: 20,
    });
    expect(m.fit).toBe('offload');
    expect(m.placement).toMatchObject({ kind: 'experts', cpuMoeLayers: 20, explicit: true, roundTrips: 20 });
  });

  it('more layers on the GPU never make decode slower (property)', () => {
    const m = model('llama-3.1-70b');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 79 }), (n) => {
        const at = (gpuLayers: number) => {
          const mem = estimateMemory(rtx4070, m, quant('Q4_K_M'), 4096, 'f16', { gpuLayers });
          return offloadedTps(rtx4070, m, mem, 'k-quant');
        };
        expect(at(n + 1)).toBeGreaterThanOrEqual(at(n) * 0.999);
      }),
      { numRuns: 30 },
    );
  });

  it('fewer layers than the room allows when the KV cache of a long window must fit too', () => {
    const base = {
      device: { gpus: 1 },
      model: model('llama-3.1-70b'),
      weightsGB: 42.5,
      family: 'k-quant' as const,
      roomGB: 22,
    };
    const short = placeModel({ ...base, contextTokens: 4096 });
    const long = placeModel({ ...base, contextTokens: 65536 });
    expect(long.gpuLayers).toBeLessThan(short.gpuLayers);
  });
});

describe('estimate --jsonl with a placement', () => {
  it('takes gpuLayers and cpuMoeLayers and says where the layers sit', () => {
    const r = line({
      device: { ...spec4070, systemMemoryGB: 96, systemBandwidthGBs: 96 },
      model: 'gpt-oss-120b',
      cpuMoeLayers: 'all',
    });
    expect(r).toMatchObject({ fit: 'offload', placement: { kind: 'experts', cpuMoeLayers: 36, explicit: true } });
    const fewer = line({
      device: { ...spec4070, systemMemoryGB: 96, systemBandwidthGBs: 96 },
      model: 'gpt-oss-120b',
      cpuMoeLayers: 31,
    });
    expect('decodeTokensPerSec' in fewer && 'decodeTokensPerSec' in r).toBe(true);
    if ('decodeTokensPerSec' in fewer && 'decodeTokensPerSec' in r)
      expect(fewer.decodeTokensPerSec!).toBeGreaterThan(r.decodeTokensPerSec!);
  });

  it('a run set by hand on a host whose RAM is not given is assumed to fit, and says so', () => {
    const r = line({
      device: { ...spec4070, memoryGB: 24, gpus: 4 },
      model: 'deepseek-r1',
      quant: 'IQ1_S',
      gpuLayers: 27,
    });
    expect(r).toMatchObject({ fit: 'offload', placement: { kind: 'layers', gpuLayers: 27, outputOnGpu: false } });
    expect('assumptions' in r && r.assumptions.some((a) => /host RAM not given/.test(a))).toBe(true);
  });

  it('refuses a placement that is not a layer count', () => {
    const r = line({ device: spec4070, model: 'gpt-oss-120b', gpuLayers: -1 });
    expect(r).toMatchObject({ error: { code: 'INVALID_QUERY' } });
  });
});

describe('fitting the host side of offload', () => {
  it('recovers the efficiency and hand-over cost that made the runs', () => {
    // Synthetic runs: host GB read and hand-overs per token, from the same two-term physics.
    const runs = [
      [1.2, 30],
      [0.4, 10],
      [2.5, 36],
      [0.8, 0],
      [1.6, 48],
    ] as const;
    const truth = { hostEfficiency: 0.55, hostRoundTripMs: 0.3 };
    const predict = (p: typeof truth) =>
      runs.map(([gb, trips]) => 1 / (gb / (p.hostEfficiency * 90) + (trips * p.hostRoundTripMs) / 1000 + 0.005));
    const fit = fitOffload(predict(truth), predict);
    expect(fit.hostEfficiency).toBeCloseTo(0.55, 2);
    expect(fit.hostRoundTripMs).toBeCloseTo(0.3, 2);
  });
});

describe('placements that cannot run, and runs that are no offload (review findings)', () => {
  it('a placement set by hand that asks the GPU for more than it holds cannot run', () => {
    const all = line({ device: 'rtx-4090', model: 'gpt-oss-120b', quant: 'MXFP4', gpuLayers: 'all' });
    expect(all).toMatchObject({ fit: 'none' });
    const l = line({ device: 'rtx-4090', model: 'llama-3.3-70b', quant: 'Q4_K_M', gpuLayers: 79 });
    expect(l).toMatchObject({ fit: 'none' });
  });

  it('-ngl all on a model that fits is a plain GPU run, not an offload', () => {
    const r = line({ device: 'rtx-4090', model: 'llama-3.1-8b', quant: 'Q4_K_M', gpuLayers: 'all' });
    expect(r).toMatchObject({ fit: 'gpu' });
    expect('placement' in r && r.placement).toBeFalsy();
    const dense = line({ device: 'rtx-4090', model: 'llama-3.1-8b', quant: 'Q4_K_M', cpuMoeLayers: 3 });
    expect(dense).toMatchObject({ fit: 'gpu' });
  });

  it("the runtime's own placement never puts more on the GPU than it holds", () => {
    for (const memoryGB of [16, 20, 24, 28.4, 32]) {
      const d = { ...rtx4070, memoryGB };
      for (const id of ['gemma-3-27b', 'llama-3.1-70b', 'qwen3-30b-a3b', 'gpt-oss-120b']) {
        const m = estimateMemory(d, model(id), quant('Q8_0'), 8192);
        if (m.fit !== 'offload') continue;
        const p = m.placement!;
        expect(p.gpuWeightsGB + m.kvCacheGB * p.gpuKvShare).toBeLessThanOrEqual(m.availableGB - m.overheadGB);
      }
    }
  });

  it('estimate reads a prompt chunk at the depth asked, and MLX files only on a Mac', () => {
    const at = (q: object) => {
      const r = line({ device: 'mac-studio-m4-max-128gb', model: 'llama-3.1-8b', ...q });
      return 'prefillTokensPerSec' in r ? r.prefillTokensPerSec! : NaN;
    };
    expect(at({ quant: 'Q4_K_M', depthTokens: 32768 })).toBeLessThan(at({ quant: 'Q4_K_M' }) * 0.8);
    expect(at({ quant: 'MLX-4bit' })).not.toBeCloseTo(at({ quant: 'Q4_K_M' }), 0);
  });
});

describe('power while offloaded', () => {
  it('a GPU waiting on system RAM draws far less than one decoding from VRAM, and the answer says why', async () => {
    const { compare } = await import('../../../src/core/verdict/compare.js');
    const pc = (modelId: string) => {
      const v = compare(catalog, { model: modelId });
      if (!v.ok) throw new Error(v.error.message);
      return v.value.devices.find((d) => d.id === 'rtx-5090')!;
    };
    const offloaded = pc('llama-3.3-70b');
    const inVram = pc('llama-3.1-8b');
    expect(offloaded.fit).toBe('offload');
    expect(offloaded.power.activities.decode.watts).toBeLessThan(inVram.power.activities.decode.watts * 0.6);
    expect(offloaded.power.activities.decode.note).toMatch(/offload: the GPU works ~\d+% of each token/);
  });
});

describe('a mapped file larger than host RAM can hold (the page cache)', () => {
  it('misses nothing while the host part fits, then the share that does not fit', () => {
    // 64 GB host: 56 GiB (60.1 GB) for the page cache after the OS and the server.
    expect(pageCacheMissShare(50, 64)).toBe(0);
    expect(pageCacheMissShare(80, 64)).toBeCloseTo((80 - 56 * 1.073741824) / 80, 6);
    expect(pageCacheMissShare(80, undefined)).toBe(0);
  });

  it('more host RAM never misses more (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1, max: 500, noNaN: true }), fc.integer({ min: 8, max: 1024 }), (gb, ram) => {
        expect(pageCacheMissShare(gb, ram + 16)).toBeLessThanOrEqual(pageCacheMissShare(gb, ram));
        expect(pageCacheMissShare(gb, ram)).toBeGreaterThanOrEqual(0);
        expect(pageCacheMissShare(gb, ram)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('a host too small for its part thrashes: the estimate refuses it and says by how much', () => {
    const small = { ...rtx4070, hostMemoryGB: 32 };
    const m = estimateMemory(small, model('gpt-oss-120b'), quant('MXFP4'), 4096);
    expect(m.fit).toBe('none');
    expect(m.pageCacheShortGB!).toBeGreaterThan(15);
    expect(estimateMemory(rtx4070, model('gpt-oss-120b'), quant('MXFP4'), 4096).pageCacheShortGB).toBe(0);
  });

  it('decode reads the missing share from disk: far slower, and no faster than the disk allows', () => {
    const m = model('gpt-oss-120b');
    const mem = estimateMemory(rtx4070, m, quant('MXFP4'), 4096);
    const at = (hostMemoryGB: number) => offloadedTps({ ...rtx4070, hostMemoryGB }, m, mem, 'mxfp4');
    expect(at(128)).toBeCloseTo(at(64), 6);
    expect(at(32)).toBeLessThan(at(64) / 3);
    const missed = mem.placement!.hostReadGB * pageCacheMissShare(mem.placement!.hostWeightsGB, 32);
    expect(at(32)).toBeLessThanOrEqual(DISK_READ_GBS / missed);
  });
});

describe('bounds of the host fit', () => {
  it('a hand-over cost stays within what PCIe and a thread wake-up take, however the runs pull', () => {
    // Runs made with an impossible 3 ms per hand-over: the fit stops at the bound.
    const runs = [
      [0.5, 40],
      [0.5, 10],
      [1, 30],
    ] as const;
    const predict = (p: { hostEfficiency: number; hostRoundTripMs: number }) =>
      runs.map(([gb, trips]) => 1 / (gb / (p.hostEfficiency * 90) + (trips * p.hostRoundTripMs) / 1000));
    const fit = fitOffload(predict({ hostEfficiency: 0.5, hostRoundTripMs: 3 }), predict);
    expect(fit.hostRoundTripMs).toBeLessThanOrEqual(OFFLOAD_BOUNDS.hostRoundTripMs[1]);
    expect(fit.hostEfficiency).toBeGreaterThanOrEqual(OFFLOAD_BOUNDS.hostEfficiency[0]);
  });
});
