import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { estimateMemory, gpuBudgetGB, kvCacheGB } from '../../../src/core/physics/memory.js';
import { estimateArchitecture } from '../../../src/core/query/architecture.js';
import { device, model, quant } from '../../helpers/catalog.js';

describe('weights and KV cache', () => {
  it('Llama 3 70B at F16 is ~141 GB of weights', () => {
    const m = estimateMemory(device('mac-studio-m4-max-128gb'), model('llama-3-70b'), quant('F16'), 8192);
    expect(m.weightsGB).toBeGreaterThan(139);
    expect(m.weightsGB).toBeLessThan(143);
  });

  it('Llama 3.1 70B Q4_K_M uses the 42.5 GB file size', () => {
    const m = estimateMemory(device('rtx-5090'), model('llama-3.1-70b'), quant('Q4_K_M'), 8192);
    expect(m.weightsBasis).toBe('file-size');
    expect(m.weightsGB).toBeCloseTo(42.5, 0);
  });

  it('GQA: Llama 3 70B holds ~0.31 MiB per token, so 128k tokens is ~40 GiB', () => {
    const gb = kvCacheGB(model('llama-3-70b'), 131072);
    expect(gb / 1.073741824).toBeGreaterThan(39);
    expect(gb / 1.073741824).toBeLessThan(41);
  });

  it('sliding-window layers keep only their window (Gemma 3 27B at 128k is far below a full-attention cache)', () => {
    const g = model('gemma-3-27b');
    const full = kvCacheGB({ ...g, attention: { kind: 'full' } }, 131072);
    expect(kvCacheGB(g, 131072)).toBeLessThan(full / 3);
  });

  it('quantized KV cache (q8_0) is about half of f16', () => {
    const m = model('llama-3.1-8b');
    expect(kvCacheGB(m, 32768, 'q8_0') / kvCacheGB(m, 32768, 'f16')).toBeCloseTo(0.53, 2);
  });
});

describe('fit', () => {
  it('70B F16 cannot run on a 128 GB Mac, even with the raised limit', () => {
    const m = estimateMemory(device('mac-studio-m4-max-128gb'), model('llama-3-70b'), quant('F16'), 8192);
    expect(m.fit).toBe('none');
  });

  it('70B Q4_K_M does not sit in 32 GB of VRAM: it offloads to host RAM', () => {
    const m = estimateMemory(device('rtx-5090'), model('llama-3.1-70b'), quant('Q4_K_M'), 8192);
    expect(m.fit).toBe('offload');
    expect(m.spillGB).toBeGreaterThan(10);
    expect(m.gpuShare).toBeLessThan(0.75);
  });

  it('vendor sizes are GiB: a "32 GB" card holds 34.4 GB of a GGUF file', () => {
    expect(gpuBudgetGB(device('rtx-5090')).defaultGB).toBeCloseTo(34.36, 2);
  });

  it('two RTX 5090s hold 70B Q4_K_M on the GPUs (layer split adds memory)', () => {
    expect(estimateMemory(device('2x-rtx-5090'), model('llama-3.1-70b'), quant('Q4_K_M'), 8192).fit).toBe('gpu');
  });

  it('the Mac reports its default GPU budget and the raised one with the sysctl', () => {
    const mac = device('mac-studio-m4-max-128gb');
    const b = gpuBudgetGB(mac);
    // 128 GiB of RAM = 137.4 GB; 75% by default, all but 8 GiB after the sysctl.
    expect(b.defaultGB).toBeCloseTo(103.08, 1);
    expect(b.raisedGB).toBeCloseTo(128.85, 1);
    expect(b.raisedLimitMB).toBe(120 * 1024);
    // A 105 GB file needs the raise.
    const big = estimateArchitecture({ paramsB: 100, fileGB: { Q8_0: 105 } });
    const m = estimateMemory(mac, big, quant('Q8_0'), 4096);
    expect(m.fit).toBe('gpu');
    expect(m.needsRaisedLimit).toBe(true);
    expect(m.sysctlTip).toMatch(/^sudo sysctl iogpu\.wired_limit_mb=\d+$/);
  });

  it('nothing fits when host RAM cannot take the spill', () => {
    expect(estimateMemory(device('rtx-5090'), model('llama-3.1-405b'), quant('Q4_K_M'), 8192).fit).toBe('none');
  });
});

describe('properties', () => {
  const rank = { none: 0, offload: 1, gpu: 2 } as const;
  it('more memory never makes a fit worse', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 256 }),
        fc.integer({ min: 1, max: 64 }),
        fc.double({ min: 1, max: 400, noNaN: true }),
        (mem, extra, params) => {
          const base = device('rtx-5090');
          const m = estimateArchitecture({ paramsB: params });
          const small = estimateMemory({ ...base, memoryGB: mem }, m, quant('Q4_K_M'), 8192);
          const large = estimateMemory({ ...base, memoryGB: mem + extra }, m, quant('Q4_K_M'), 8192);
          return rank[large.fit] >= rank[small.fit];
        },
      ),
    );
  });

  it('longer context never uses less memory', () => {
    fc.assert(
      fc.property(fc.integer({ min: 256, max: 500_000 }), fc.integer({ min: 0, max: 500_000 }), (ctx, more) => {
        const d = device('mac-studio-m4-max-128gb');
        for (const id of ['llama-3.1-8b', 'gemma-3-27b', 'gpt-oss-120b']) {
          const a = estimateMemory(d, model(id), quant('Q4_K_M'), ctx);
          const b = estimateMemory(d, model(id), quant('Q4_K_M'), ctx + more);
          if (b.requiredGB < a.requiredGB) return false;
        }
        return true;
      }),
    );
  });
});
