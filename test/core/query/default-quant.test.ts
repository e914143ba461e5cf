import { describe, expect, it } from 'vitest';
import { compare } from '../../../src/core/verdict/compare.js';
import { ask } from '../../../src/core/ask/ask.js';
import { catalog } from '../../helpers/catalog.js';

describe('the quant a model is answered in when none is said', () => {
  it('gpt-oss in MXFP4, as llama.cpp runs it as shipped', () => {
    const v = compare(catalog, { model: 'gpt-oss-120b' });
    expect(v.ok && v.value.query.quant).toBe('MXFP4');
  });

  it('a release in FP8 (DeepSeek V3.1) in Q4_K_M, what people run it in locally', () => {
    const v = compare(catalog, { model: 'deepseek-v3.1' });
    expect(v.ok && v.value.query.quant).toBe('Q4_K_M');
  });

  it('a chip name inside a model name is the model, not a machine', () => {
    const a = ask(catalog, 'minimax-m2 on a mac studio m3 ultra 256gb?');
    expect(a.reading.model?.id).toBe('minimax-m2');
    expect(a.reading.devices.map((d) => d.id)).toEqual(['mac-studio-m3-ultra-256gb']);
  });

  it('"hunyuan videos" is the video model, whatever LLM shares the family name', () => {
    expect(ask(catalog, 'hunyuan videos take forever on my 3060 12gb').reading.model?.kind).toBe('video');
  });
});

describe('names read whole against a catalog of 156 models', () => {
  it('a size after a hyphenated name belongs to it ("qwen3-coder 480b" is the 480B, not the 30B)', () => {
    expect(ask(catalog, 'qwen3-coder 480b on an m3 ultra 512gb').reading.model?.id).toBe('qwen3-coder-480b-a35b');
    expect(ask(catalog, 'qwen3-coder on a 4090').reading.model?.id).toBe('qwen3-coder-30b-a3b');
  });

  it('a model never released as weights is said so, with its nearest open ones', () => {
    const a = ask(catalog, 'mistral medium on a 5090');
    expect(a.answer?.verdict.caveats.join(' ')).toMatch(/Mistral Medium 3 .*never published/);
  });

  it("a video model's support comes from its own measured workload, never another size's or family's", () => {
    const a = ask(catalog, 'wan 2.2 5b on a 4060 ti 16gb');
    expect(a.answer?.verdict.headline).toMatch(/^4060 Ti 16GB for Wan 2\.2 TI2V 5B/);
    expect(a.answer?.verdict.headline).not.toMatch(/SAT pipelines|lacks the memory/);
  });
});
