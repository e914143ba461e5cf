import { describe, expect, it } from 'vitest';
import { resolveModel } from '../../../src/core/query/resolve.js';
import { catalog } from '../../helpers/catalog.js';

/** [what people type, catalog id (or "estimated"), quant named inside it (or undefined)] */
const REFERENCES: [string, string, string | undefined][] = [
  // catalog ids, names and aliases
  ['llama-3.3-70b', 'llama-3.3-70b', undefined],
  ['Llama 3.3 70B', 'llama-3.3-70b', undefined],
  ['llama 3.3 70b', 'llama-3.3-70b', undefined],
  ['L3 70B', 'llama-3-70b', undefined],
  ['l3.1 8b', 'llama-3.1-8b', undefined],
  ['Llama 3 8B', 'llama-3-8b', undefined],
  ['llama 2 13b', 'llama-2-13b', undefined],
  ['llama 3 405b', 'llama-3.1-405b', undefined],
  ['Qwen2.5 32B', 'qwen2.5-32b', undefined],
  ['qwen 2.5 72b', 'qwen2.5-72b', undefined],
  ['Qwen2.5-Coder 32B', 'qwen2.5-coder-32b', undefined],
  ['qwen coder 14b', 'qwen2.5-coder-14b', undefined],
  ['QwQ-32B', 'qwq-32b', undefined],
  ['Qwen3 30B-A3B', 'qwen3-30b-a3b', undefined],
  ['qwen3 235b', 'qwen3-235b-a22b', undefined],
  ['gpt oss 20b', 'gpt-oss-20b', undefined],
  ['Gemma 3 27B', 'gemma-3-27b', undefined],
  ['mistral small 3.1', 'mistral-small-24b', undefined],
  ['Mixtral 8x22B', 'mixtral-8x22b', undefined],
  ['phi 4', 'phi-4', undefined],
  ['DeepSeek-R1-Distill-Qwen-32B', 'deepseek-r1-distill-qwen-32b', undefined],
  ['deepseek r1 70b', 'deepseek-r1-distill-llama-70b', undefined],
  ['llama 4 scout', 'llama-4-scout', undefined],
  // Ollama tags, with and without quant suffix
  ['qwen2.5-coder:32b', 'qwen2.5-coder-32b', undefined],
  ['llama3.1:70b-instruct-q8_0', 'llama-3.1-70b', 'Q8_0'],
  ['gpt-oss:120b', 'gpt-oss-120b', undefined],
  ['gpt-oss:20b', 'gpt-oss-20b', undefined],
  ['llama3.3:70b', 'llama-3.3-70b', undefined],
  ['llama3.3:70b-instruct-q4_K_M', 'llama-3.3-70b', 'Q4_K_M'],
  ['llama3.1:8b-instruct-fp16', 'llama-3.1-8b', 'F16'],
  ['qwen2.5-coder:32b-instruct-q4_K_M', 'qwen2.5-coder-32b', 'Q4_K_M'],
  ['qwen3:30b-a3b-q8_0', 'qwen3-30b-a3b', 'Q8_0'],
  ['deepseek-r1:32b', 'deepseek-r1-distill-qwen-32b', undefined],
  ['deepseek-r1:14b-qwen-distill-q4_K_M', 'deepseek-r1-distill-qwen-14b', 'Q4_K_M'],
  ['gemma3:27b', 'gemma-3-27b', undefined],
  ['gemma3:12b-it-qat', 'gemma-3-12b', undefined],
  ['mixtral:8x7b', 'mixtral-8x7b', undefined],
  ['phi4:14b', 'phi-4', undefined],
  ['mistral:7b', 'mistral-7b', undefined],
  ['qwq:32b', 'qwq-32b', undefined],
  ['llama3', 'llama-3-8b', undefined],
  ['hf.co/unsloth/gemma-3-27b-it-GGUF:Q4_K_M', 'gemma-3-27b', 'Q4_K_M'],
  // GGUF file names
  ['Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf', 'llama-3.1-8b', 'Q4_K_M'],
  ['Meta-Llama-3.1-70B-Instruct-Q5_K_M.gguf', 'llama-3.1-70b', 'Q5_K_M'],
  ['Llama-3.3-70B-Instruct-IQ4_XS.gguf', 'llama-3.3-70b', 'IQ4_XS'],
  ['Qwen2.5-Coder-32B-Instruct-Q6_K.gguf', 'qwen2.5-coder-32b', 'Q6_K'],
  ['qwen2.5-7b-instruct-q8_0.gguf', 'qwen2.5-7b', 'Q8_0'],
  ['gpt-oss-120b-mxfp4.gguf', 'gpt-oss-120b', 'MXFP4'],
  ['Mistral-Small-3.1-24B-Instruct-2503-Q6_K.gguf', 'mistral-small-24b', 'Q6_K'],
  ['gemma-3-12b-it-qat-q4_0-gguf', 'gemma-3-12b', 'Q4_0'],
  ['DeepSeek-R1-Distill-Llama-70B-Q3_K_M.gguf', 'deepseek-r1-distill-llama-70b', 'Q3_K_M'],
  ['Qwen3-32B-Q2_K.gguf', 'qwen3-32b', 'Q2_K'],
  ['phi-4-Q8_0.gguf', 'phi-4', 'Q8_0'],
  // Hugging Face repo ids
  ['unsloth/Qwen3-30B-A3B-GGUF', 'qwen3-30b-a3b', undefined],
  ['mlx-community/Llama-3.3-70B-Instruct-4bit', 'llama-3.3-70b', 'MLX-4bit'],
  ['mlx-community/Qwen2.5-Coder-32B-Instruct-8bit', 'qwen2.5-coder-32b', 'MLX-8bit'],
  ['meta-llama/Llama-3.1-8B-Instruct', 'llama-3.1-8b', undefined],
  ['bartowski/Qwen2.5-Coder-32B-Instruct-GGUF', 'qwen2.5-coder-32b', undefined],
  ['openai/gpt-oss-120b', 'gpt-oss-120b', undefined],
  ['Qwen/Qwen2.5-72B-Instruct', 'qwen2.5-72b', undefined],
  ['google/gemma-3-27b-it', 'gemma-3-27b', undefined],
  ['mistralai/Mixtral-8x7B-Instruct-v0.1', 'mixtral-8x7b', undefined],
  ['deepseek-ai/DeepSeek-R1-Distill-Qwen-7B', 'deepseek-r1-distill-qwen-7b', undefined],
  ['https://huggingface.co/Qwen/QwQ-32B', 'qwq-32b', undefined],
  ['unsloth/Llama-4-Scout-17B-16E-Instruct-GGUF', 'llama-4-scout', undefined],
  // bare sizes: an unknown model with an estimated architecture
  ['70b', 'estimated', undefined],
  ['8x7b', 'estimated', undefined],
  ['30b-a3b', 'estimated', undefined],
  ['my-finetune-13b', 'estimated', undefined],
  ['some-merge-34b-q4_k_m', 'estimated', 'Q4_K_M'],
];

describe('model references people paste', () => {
  it('covers at least 60 real-world forms', () => expect(REFERENCES.length).toBeGreaterThanOrEqual(60));

  it.each(REFERENCES)('%s -> %s %s', (text, id, quant) => {
    const r = resolveModel(catalog, text);
    expect(r.ok, JSON.stringify(!r.ok && r.error)).toBe(true);
    if (!r.ok) return;
    if (id === 'estimated') expect(r.value.estimated).toBe(true);
    else expect(r.value.model.id).toBe(id);
    expect(r.value.quant?.id).toBe(quant);
  });

  it('a bare size gets a sensible shape: 70b has 80 layers and GQA', () => {
    const r = resolveModel(catalog, '70b');
    expect(r.ok && r.value.model).toMatchObject({ paramsB: 70, layers: 80, kvHeads: 8, headDim: 128 });
    expect(r.ok && r.value.alternatives?.map((m) => m.id)).toContain('llama-3.3-70b');
  });

  it('8x7b is a MoE with two of eight experts active', () => {
    const r = resolveModel(catalog, '8x7b');
    expect(r.ok && r.value.model.moe).toEqual({ experts: 8, activeExperts: 2 });
    expect(r.ok && r.value.model.activeParamsB).toBeLessThan(15);
  });

  it('"qwen 32b" is ambiguous: it says which it used and lists the others', () => {
    const r = resolveModel(catalog, 'qwen 32b');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.model.id).toBe('qwen3-32b');
    expect(r.value.alternatives!.map((m) => m.id)).toEqual(
      expect.arrayContaining(['qwen2.5-32b', 'qwen2.5-coder-32b']),
    );
  });

  it('"Llama 3 13B" does not exist: it answers with Llama 2 13B and the nearest real models', () => {
    const r = resolveModel(catalog, 'llama 3 13b');
    expect(r.ok && r.value.model.id).toBe('llama-2-13b');
    expect(r.ok && r.value.phantom?.nearest).toEqual(expect.arrayContaining(['llama-2-13b', 'llama-3.1-8b']));
  });

  it('a typo is answered with "Did you mean" and a command to type, not a guess', () => {
    const r = resolveModel(catalog, 'qwen2.5-codr-32b');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('UNKNOWN_MODEL');
    expect(r.error.hint).toBe('Did you mean Qwen2.5-Coder 32B? Try model:qwen2.5-coder:32b');
  });

  it('words alone are not a model', () => {
    const r = resolveModel(catalog, 'the best one please');
    expect(r.ok).toBe(false);
  });
});
