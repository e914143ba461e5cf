import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { understand } from '../../src/core/understand.js';
import { resolveModel } from '../../src/core/resolve.js';
import { compare } from '../../src/core/verdict.js';
import { catalog } from '../helpers/catalog.js';

const CASES: [string, Record<string, unknown>][] = [
  ['llama 3.3 70b q8 coding 8h/day $0.30/kWh', { model: 'llama 3.3 70b', quant: 'Q8_0', workflow: 'coding', hoursPerDay: 8, kwhPrice: 0.3 }],
  ['70b q8 for coding, 8h a day at 30 cents', { model: '70b', quant: 'Q8_0', workflow: 'coding', hoursPerDay: 8, kwhPrice: 0.3 }],
  ['qwen2.5-coder:32b 32k context quiet', { model: 'qwen2.5-coder:32b', contextTokens: 32768, priority: 'silence' }],
  ['gpt-oss 120b vs m3 ultra for rag, 128k tokens', { model: 'gpt-oss 120b', against: 'mac-studio-m3-ultra-512gb', workflow: 'rag', contextTokens: 131072 }],
  ['Mixtral 8x7B 4-bit cheapest', { model: 'mixtral 8x7b', quant: 'Q4_K_M', priority: 'budget' }],
  ['flux image gen 1024px 20 steps', { workflow: 'image', imageResolution: 1024, imageSteps: 20 }],
  ['deepseek r1 32b, 1m tokens/day, api $3/mtok, 5 years', { model: 'deepseek r1 32b', tokensPerDay: 1e6, apiPricePerMTok: 3, years: 5 }],
  ['fine-tune llama 3.1 8b with qlora', { model: 'llama 3.1 8b', workflow: 'fine-tune' }],
  ['gemma 3 27b on a dgx spark', { model: 'gemma 3 27b', against: 'dgx-spark' }],
  ['serving qwen3 30b-a3b with vllm 24/7 €0.40/kwh', { model: 'qwen3 30b-a3b', workflow: 'serving', hoursPerDay: 24, kwhPrice: 0.4 }],
  ['LLAMA 3.1 8B FP16 FASTEST', { model: 'llama 3.1 8b', quant: 'F16', priority: 'speed' }],
  ['bf16 gemma 3 12b', { model: 'gemma 3 12b', quant: 'BF16' }],
  ['4-bit qwen 2.5 72b chat', { model: 'qwen 2.5 72b', quant: 'Q4_K_M', workflow: 'chat' }],
  ['Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf for coding', { model: 'Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf', workflow: 'coding' }],
  ['mlx-community/Llama-3.3-70B-Instruct-4bit silent', { model: 'mlx-community/Llama-3.3-70B-Instruct-4bit', priority: 'silence' }],
  ['phi-4 8bit 12 hours a day 0.25/kwh', { model: 'phi-4', quant: 'Q8_0', hoursPerDay: 12, kwhPrice: 0.25 }],
  ['context 65536 llama 3.1 70b', { model: 'llama 3.1 70b', contextTokens: 65536 }],
  ['qwq 32b reasoning, prompt 16k', { model: 'qwq 32b reasoning', promptTokens: 16384 }],
  ['video generation', { workflow: 'video' }],
  ['mistral small 3.1 vs 4090 for agents', { model: 'mistral small 3.1', against: 'rtx-4090', workflow: 'rag' }],
  ['model=llama-3.1-8b quant=q5_k_m priority=power', { model: 'llama-3.1-8b', quant: 'q5_k_m', priority: 'power' }],
];

describe('free text', () => {
  it.each(CASES)('%s', (text, expected) => {
    const r = understand(catalog, text);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.input).toEqual(expected);
  });

  it('every parsed example resolves to a verdict', () => {
    for (const [text] of CASES) {
      const r = understand(catalog, text);
      const v = r.ok ? compare(catalog, r.value.input) : r;
      expect(v.ok, `${text}: ${JSON.stringify(!v.ok && v.error)}`).toBe(true);
    }
  });

  it('says how it read an ambiguous price', () => {
    const r = understand(catalog, 'llama 3 8b at 30 cents');
    expect(r.ok && r.value.notes[0]).toMatch(/\$0\.30\/kWh/);
  });

  it('an out-of-range number is refused by compare with the range in the message', () => {
    const r = understand(catalog, 'llama 3.1 8b 30 hours a day');
    const v = r.ok ? compare(catalog, r.value.input) : r;
    expect(!v.ok && v.error).toMatchObject({ code: 'OUT_OF_RANGE', message: expect.stringMatching(/between 0.1 and 24/) });
  });
});

describe('fuzz: no input makes the query path throw', () => {
  const hostile = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.array(fc.constantFrom('llama', '70b', 'q4', '/', ':', '-', '.gguf', '$', 'kwh', '32k', '8x', 'a3b', 'vs', '4090', '%', '\\', '(', ')', '[', '"', '\u0000', '🦙', 'ﬁ', '١٢٣'), { maxLength: 40 }).map((xs) => xs.join(' ')),
    fc.constantFrom('a'.repeat(10_000), '('.repeat(5_000), '1'.repeat(5_000) + 'b', '-'.repeat(5_000), ' '.repeat(5_000), '$'.repeat(3_000) + '/kwh'),
  );

  it('resolveModel, understand and compare return results for thousands of random and hostile strings', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const m = resolveModel(catalog, s);
        const u = understand(catalog, s);
        const v = compare(catalog, u.ok ? u.value.input : { model: s });
        return typeof m.ok === 'boolean' && typeof u.ok === 'boolean' && typeof v.ok === 'boolean';
      }),
      { numRuns: 2500 },
    );
  });
});
