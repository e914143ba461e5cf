import { describe, expect, it } from 'vitest';
import { ask } from '../../../src/core/ask/ask.js';
import { readKvCache } from '../../../src/core/ask/kv-cache.js';
import { catalog } from '../../helpers/catalog.js';

describe('a quantized KV cache said in a question', () => {
  it.each([
    ['gemma 3 27b with kv cache q4_0', 'q4_0'],
    ['qwen3 32b using a q8 kv cache', 'q8_0'],
    ['llama-server -m model.gguf -ctk q8_0 -ctv q8_0', 'q8_0'],
    ['--cache-type-k q4_0 --cache-type-v q4_0', 'q4_0'],
    ['OLLAMA_KV_CACHE_TYPE=q8_0 ollama serve', 'q8_0'],
    ['vllm serve --kv-cache-dtype fp8_e5m2', 'fp8'],
    ['with 8-bit KV cache at 64k', 'q8_0'],
  ])('%s -> %s', (text, type) => {
    expect(readKvCache(text)?.type).toBe(type);
  });

  it('is nothing when only the weights are quantized', () => {
    expect(readKvCache('llama 3.3 70b q8_0 on a mac studio')).toBeNull();
  });

  it("is never read as the weights' quant, and the answer sizes the cache it names", () => {
    const a = ask(catalog, 'llama 3.3 70b q8 kv cache 32k context on M4 Max 128GB');
    expect(a.reading.quant).not.toBe('Q8_0');
    expect(a.reading.model?.id).toBe('llama-3.3-70b');
    expect(a.answer?.query.kvCache).toBe('q8_0');
    const weights = ask(catalog, 'llama 3.3 70b q8_0 with a q4_0 kv cache on M4 Max 128GB');
    expect(weights.reading.quant).toBe('Q8_0');
    expect(weights.answer?.query.kvCache).toBe('q4_0');
    // vLLM's fp8 cache is not sized: said, and answered with f16.
    const fp8 = ask(catalog, 'llama 3.3 70b --kv-cache-dtype fp8 on 2x 3090');
    expect(fp8.reading.notes.join(' ')).toMatch(/fp8 KV cache is not modelled/);
  });
});
