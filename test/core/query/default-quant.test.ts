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
