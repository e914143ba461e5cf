import { describe, expect, it } from 'vitest';
import { readModel } from '../../../src/core/ask/models-text.js';
import type { ModelReading } from '../../../src/core/ask/types.js';
import { catalog } from '../../helpers/catalog.js';

const reading = (text: string) => readModel(catalog, text)?.reading ?? null;
const llm = (id: string | null, name: string, source: ModelReading['source'] = 'catalog'): ModelReading => ({
  id,
  name,
  kind: 'llm',
  source,
});

const CASES: [string, ModelReading][] = [
  ['llama 3.3 70b', llm('llama-3.3-70b', 'Llama 3.3 70B')],
  // The coder model, not Qwen2.5 32B: "coder" is part of the name, not the coding workflow.
  ['qwen 2.5 coder 32b for coding', llm('qwen2.5-coder-32b', 'Qwen2.5-Coder 32B')],
  ['qwen2.5-coder:32b', llm('qwen2.5-coder-32b', 'Qwen2.5-Coder 32B')],
  ['is unsloth/Qwen3-30B-A3B-GGUF fast?', llm('qwen3-30b-a3b', 'Qwen3 30B-A3B')],
  ['can I run deepseek r1 671b', llm('deepseek-r1-671b', 'DeepSeek-R1 / V3 671B')],
  ['flux dev', { id: 'flux-1-dev', name: 'FLUX.1 [dev]', kind: 'image', source: 'catalog' }],
  ['wan 2.2 14b', { id: 'wan-2.2-t2v-a14b', name: 'Wan 2.2 T2V A14B', kind: 'video', source: 'catalog' }],
  ['wan 2.1 video', { id: 'wan-2.1-t2v-14b', name: 'Wan 2.1 T2V 14B', kind: 'video', source: 'catalog' }],
  // A family the catalog does not know, without a size: no id, the name as typed.
  ['GLM-5.1', llm(null, 'GLM-5.1', 'estimate')],
  // A model the catalog does not know, with a size: the estimate of that size, named as typed.
  ['Qwen3.8 27B', llm('estimated-27b', 'Qwen3.8 27B', 'estimate')],
  ['70B models', llm('estimated-70b', '70B', 'estimate')],
  // One-letter typos of a family or variant word, mended where a model name goes on.
  ['lama 3 8b', llm('llama-3-8b', 'Llama 3 8B')],
  ['deepsek r1', llm('deepseek-r1-671b', 'DeepSeek-R1 / V3 671B')],
  ['mistrall smal', llm('mistral-small-24b', 'Mistral Small 3.1 / 3.2 24B')],
  ['quen 3 32b', llm('qwen3-32b', 'Qwen3 32B')],
  // A near-miss of a catalog name with the same numbers.
  ['qwen2.5-codr-32b', llm('qwen2.5-coder-32b', 'Qwen2.5-Coder 32B')],
  ['llama 3.1 8b 3.75h/day', llm('llama-3.1-8b', 'Llama 3.1 8B')],
];

describe('the model in a question', () => {
  it.each(CASES)('%s', (text, expected) => {
    expect(reading(text)).toEqual(expected);
  });

  it('says which typo it mended', () => {
    expect(readModel(catalog, 'lama 3 8b')).toMatchObject({ typed: 'lama 3 8b', mended: 'llama' });
    expect(readModel(catalog, 'deepsek r1')).toMatchObject({ typed: 'deepsek r1', mended: 'deepseek' });
    expect(readModel(catalog, 'llama 3.3 70b')?.mended).toBeUndefined();
  });

  it('hands an image or video model to the verdict by its media id', () => {
    const found = readModel(catalog, 'flux dev image generation');
    expect(found?.reference).toBe('flux-1-dev');
    expect(found?.media?.kind).toBe('image');
  });

  it('keeps a quantity out of the model name', () => {
    const found = readModel(catalog, 'llama 3.1 8b 3.75h/day');
    expect(found?.typed).toBe('llama 3.1 8b');
    expect(found?.reference).not.toContain('3.75');
  });

  it('skips the words already read as a machine', () => {
    const text = 'qwen3 32b';
    expect(readModel(catalog, text, [[0, text.length]])).toBeNull();
  });
});

describe('numbers decide the model', () => {
  it('never turns llama 3.2 1b into the 3B', () => {
    const r = reading('llama 3.2 1b');
    expect(r?.id).not.toBe('llama-3.2-3b');
    expect(r).toEqual(llm(catalog.model('llama-3.2-1b') ? 'llama-3.2-1b' : 'estimated-1b', r!.name, r!.source));
    expect(reading('llama 3.2 3b')).toEqual(llm('llama-3.2-3b', 'Llama 3.2 3B'));
  });

  it('never mends a typo into a model of another size', () => {
    expect(reading('qwen2.5-codr-14b')?.id).not.toBe('qwen2.5-coder-32b');
  });
});

describe('words that are no model', () => {
  it.each([
    'llama.cpp',
    'run it with llama.cpp',
    'llama-server',
    'image-2-video',
    'convert image-2-video',
    'a large image model',
    'hello there',
    '',
  ])('%s', (text) => {
    expect(reading(text)).toBeNull();
  });
});
