import { describe, expect, it } from 'vitest';
import { ask } from '../../../src/core/ask/ask.js';
import { lookupTargetOf } from '../../../src/core/ask/lookup-target.js';
import { learnModel } from '../../../src/core/catalog/learned.js';
import { estimateMemory } from '../../../src/core/physics/memory.js';
import { catalog } from '../../helpers/catalog.js';

describe('what a lookup should learn', () => {
  it.each([
    [
      'can I run someorg/Mystery-LLM-34B-Instruct on a 4090?',
      { source: 'huggingface', ref: 'someorg/Mystery-LLM-34B-Instruct' },
    ],
    [
      'hf.co/someorg/Mystery-34B-GGUF:Q4_K_M on m3 ultra',
      { source: 'huggingface', ref: 'someorg/Mystery-34B-GGUF', quant: 'Q4_K_M' },
    ],
    [
      'https://huggingface.co/someorg/Mystery-34B-GGUF/tree/main',
      { source: 'huggingface', ref: 'someorg/Mystery-34B-GGUF' },
    ],
    ['ollama run mystery-llm:34b on my 3090', { source: 'ollama', ref: 'library/mystery-llm:34b' }],
    ['ollama pull someone/mystery on a 3060', { source: 'ollama', ref: 'someone/mystery:latest' }],
    ['is mystery-llm:34b-q8_0 ok on a mac mini?', { source: 'ollama', ref: 'library/mystery-llm:34b-q8_0' }],
    ['https://ollama.com/library/mystery-llm:34b', { source: 'ollama', ref: 'library/mystery-llm:34b' }],
  ])('%s', (text, target) => {
    expect(lookupTargetOf(catalog, text)).toEqual(target);
  });

  it('nothing when the catalog knows the reference, or when nothing is pasted', () => {
    expect(lookupTargetOf(catalog, 'can I run meta-llama/Llama-3.1-8B-Instruct on a 3060')).toBeNull();
    expect(lookupTargetOf(catalog, 'ollama run qwen3:30b on my 3090')).toBeNull();
    expect(lookupTargetOf(catalog, 'llama 3.3 70b on a 5090 at 10:30 or 2/3 of the time')).toBeNull();
    expect(lookupTargetOf(catalog, 'llama-server -m models/7B/ggml-model.gguf')).toBeNull();
  });
});

describe('answering with a learned model', () => {
  const learned = learnModel(catalog, {
    basis: {
      source: 'huggingface',
      ref: 'someorg/Mystery-34B-GGUF',
      url: 'https://huggingface.co/someorg/Mystery-34B-GGUF',
      fetchedAt: '2026-11-30T10:00:00Z',
      read: ['model info', 'GGUF header', 'file sizes'],
    },
    name: 'Mystery-34B',
    gguf: {
      'general.architecture': 'llama',
      'llama.block_count': 60,
      'llama.embedding_length': 7168,
      'llama.attention.head_count': 56,
      'llama.attention.head_count_kv': 8,
      'llama.context_length': 32768,
      'llama.feed_forward_length': 20480,
    },
    ggufParameters: 34.4e9,
    files: [{ path: 'Mystery-34B-Q4_K_M.gguf', bytes: 20.66e9 }],
    quant: 'Q4_K_M',
  });
  if (!learned.ok) throw new Error(learned.error.message);

  it('uses the learned shape and the real file size in the memory figures, and says where they came from', () => {
    const a = ask(catalog, 'hf.co/someorg/Mystery-34B-GGUF:Q4_K_M on my 4090 at 16k context?', {
      learned: learned.value,
    });
    expect(a.reading.model).toMatchObject({ name: 'Mystery-34B', source: 'huggingface' });
    expect(a.reading.quant).toBe('Q4_K_M');
    const row = a.answer!.devices.find((d) => d.id === 'rtx-4090')!;
    // By hand: 20.66 GB of weights + 60 layers x 2 x 8 heads x 128 x 2 bytes x 16,384 tokens of f16 KV.
    const kv = (60 * 2 * 8 * 128 * 2 * 16_384) / 1e9;
    const expected = estimateMemory(catalog.device('rtx-4090')!, learned.value.model, catalog.quant('Q4_K_M')!, 16_384);
    expect(expected.weightsGB).toBe(20.66);
    expect(expected.kvCacheGB).toBeCloseTo(kv, 9);
    expect(row.memory.requiredGB).toBeCloseTo(expected.requiredGB, 1);
    expect(a.answer!.verdict.caveats.join(' ')).toMatch(
      /comes from the Hugging Face repo someorg\/Mystery-34B-GGUF \(model info, GGUF header, file sizes\), fetched 2026-11-30/,
    );
  });
});

describe('what is no model to look up', () => {
  it('a dataset or a Space on the Hub, and a catalog model pasted as an ollama.com URL', () => {
    expect(lookupTargetOf(catalog, 'trained on https://huggingface.co/datasets/someorg/Mystery-7B-data')).toBeNull();
    expect(lookupTargetOf(catalog, 'see https://huggingface.co/spaces/someorg/demo-7b')).toBeNull();
    expect(lookupTargetOf(catalog, 'https://ollama.com/library/qwen3:30b on my 3090')).toBeNull();
  });
});
