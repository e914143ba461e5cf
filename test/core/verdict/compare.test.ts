import { describe, expect, it } from 'vitest';
import { compare } from '../../../src/core/verdict/compare.js';
import type { Flag, Verdict } from '../../../src/core/verdict/types.js';
import { catalog, verdict } from '../../helpers/catalog.js';

const conflicts = (v: Verdict) =>
  v.flags.filter((f): f is Extract<Flag, { kind: 'seed-conflict' }> => f.kind === 'seed-conflict');

describe('seed claims that physics contradicts come back flagged', () => {
  it('70B FP16 on the 128 GB Mac (the seed says 6-8 tok/s)', () => {
    const v = verdict({ model: 'llama-3-70b', quant: 'fp16' });
    const f = conflicts(v).find((x) => x.device === 'mac-studio-m4-max-128gb');
    expect(f?.estimate).toMatch(/cannot run/);
    expect(v.verdict.winner).toBe('neither');
  });

  it('70B Q4 in 32 GB at 18 tok/s on the 5090', () => {
    const v = verdict({ model: 'llama-3-70b', quant: 'Q4_K_M' });
    const f = conflicts(v).find((x) => x.device === 'rtx-5090');
    expect(f?.claim).toMatch(/^18 tok\/s/);
    expect(f?.estimate).toMatch(/offload/);
  });

  it("8B Q4: the seed's 95 tok/s is ~2x under what a 5090 measures", () => {
    const v = verdict({ model: 'llama-3-8b' });
    expect(conflicts(v).some((x) => x.device === 'rtx-5090')).toBe(true);
  });

  it('the overview flags the seed table rows that disagree', () => {
    const v = verdict({});
    expect(v.overview!.length).toBeGreaterThanOrEqual(5);
    expect(conflicts(v).length).toBeGreaterThanOrEqual(4);
  });
});

describe('verdicts', () => {
  it('a model that fits 32 GB: the 5090 wins on speed', () => {
    const v = verdict({ model: 'qwen2.5-coder:32b', priority: 'speed' });
    expect(v.verdict.winner).toBe('rtx-5090');
    expect(v.verdict.reasons.length).toBeGreaterThanOrEqual(2);
    expect(v.verdict.reasons.length).toBeLessThanOrEqual(5);
  });

  it('70B Q4: only the Mac holds it, and 2x RTX 5090 is suggested', () => {
    const v = verdict({ model: 'llama 3.3 70b' });
    expect(v.verdict.winner).toBe('mac-studio-m4-max-128gb');
    expect(v.verdict.alsoConsider.some((a) => a.id === '2x-rtx-5090')).toBe(true);
  });

  it('405B fits neither; the M3 Ultra 512 GB is named', () => {
    const v = verdict({ model: 'llama-3.1-405b' });
    expect(v.verdict.winner).toBe('neither');
    expect(v.verdict.alsoConsider.some((a) => a.id === 'mac-studio-m3-ultra-512gb')).toBe(true);
  });

  it('silence as the priority picks the Mac for a model both run', () => {
    expect(verdict({ model: 'llama-3.1-8b', priority: 'silence' }).verdict.winner).toBe('mac-studio-m4-max-128gb');
  });

  it('video generation goes to CUDA', () => {
    expect(verdict({ model: 'llama-3.1-8b', workflow: 'video' }).verdict.winner).toBe('rtx-5090');
  });

  it('"Llama 3 13B" does not exist: answered with Llama 2 13B and the nearest real models', () => {
    const v = verdict({ model: 'llama 3 13b' });
    expect(v.model?.id).toBe('llama-2-13b');
    expect(v.model?.phantom?.nearest).toContain('llama-2-13b');
    expect(v.verdict.caveats[0]).toMatch(/does not exist/);
  });

  it('a daily volume above what the machine can produce raises a capacity flag', () => {
    const v = verdict({ model: 'llama-3.3-70b', tokensPerDay: 2_000_000, apiPricePerMTok: 3 });
    expect(v.flags.some((f) => f.kind === 'capacity' && f.device === 'mac-studio-m4-max-128gb')).toBe(true);
  });

  it('a model that needs the raised Apple limit gets the wired-limit flag with the sysctl', () => {
    const v = verdict({ model: 'llama-3.3-70b', quant: 'Q8_0', contextTokens: 98304 });
    const f = v.flags.find((x) => x.kind === 'apple-wired-limit');
    expect(f && 'command' in f ? f.command : '').toMatch(/iogpu\.wired_limit_mb/);
  });

  it('the verdict object carries the contract fields', () => {
    const v = verdict({ model: 'gpt-oss:120b' });
    expect(v.dataVersion).toMatch(/^\d{4}-\d{2}-\d{2}\.[0-9a-f]{8}$/);
    expect(v.query.quant).toBe('MXFP4');
    for (const d of v.devices) {
      expect(d).toMatchObject({
        id: expect.any(String),
        name: expect.any(String),
        fit: expect.any(String),
        decodeBasis: 'estimate',
      });
      expect(d.memory.requiredGB).toBeGreaterThan(60);
    }
    expect(v.cost.perDevice).toHaveLength(2);
  });
});

describe('a model too big for VRAM and RAM together', () => {
  it('says what a mapped file would read from disk, and does not count it as running', () => {
    const v = verdict({ model: 'gpt-oss-120b', device: 'rtx-4070-ram-32gb' });
    const gpu = v.devices.find((d) => d.id === 'rtx-4070-ram-32gb')!;
    expect(gpu.fit).toBe('none');
    expect(gpu.memory.pageCacheShortGB).toBeGreaterThan(20);
    expect(v.verdict.caveats.join(' ')).toMatch(/read from disk as tokens need it/);
    // With RAM enough for its part, no such caveat.
    const roomy = verdict({ model: 'gpt-oss-120b', device: 'rtx-4070-ram-128gb' });
    expect(roomy.verdict.caveats.join(' ')).not.toMatch(/read from disk/);
  });
});

describe('bad input is an error value, never a throw', () => {
  it.each([
    [{ model: 'definitely not a model' }, 'UNKNOWN_MODEL'],
    [{ model: 'llama-3.1-8b', quant: 'q9_z' }, 'UNKNOWN_QUANT'],
    [{ model: 'llama-3.1-8b', contextTokens: 10 }, 'OUT_OF_RANGE'],
    [{ model: 'llama-3-8b', contextTokens: 65536 }, 'OUT_OF_RANGE'],
    [{ model: 'llama-3.1-8b', hoursPerDay: 30 }, 'OUT_OF_RANGE'],
    [{ model: 'llama-3.1-8b', against: 'a toaster' }, 'UNKNOWN_DEVICE'],
    [{ model: 'llama-3.1-8b', against: 'rtx-5090' }, 'INVALID_QUERY'],
    [{ model: 42 }, 'INVALID_QUERY'],
  ])('%j -> %s', (input, code) => {
    const r = compare(catalog, input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.message.length).toBeGreaterThan(5);
    }
  });

  it('the range is in the message', () => {
    const r = compare(catalog, { model: 'llama-3.1-8b', hoursPerDay: 30 });
    expect(!r.ok && r.error.message).toMatch(/between 0.1 and 24/);
  });
});
