import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  isPastedReference,
  MAX_TEXT_LENGTH,
  MAX_TOKEN_LENGTH,
  understand,
} from '../../../src/core/query/understand.js';
import { resolveModel } from '../../../src/core/query/resolve.js';
import { compare } from '../../../src/core/verdict/compare.js';
import { catalog } from '../../helpers/catalog.js';

const CASES: [string, Record<string, unknown>][] = [
  [
    'llama 3.3 70b q8 coding 8h/day $0.30/kWh',
    { model: 'llama 3.3 70b', quant: 'Q8_0', workflow: 'coding', hoursPerDay: 8, kwhPrice: 0.3 },
  ],
  [
    '70b q8 for coding, 8h a day at 30 cents',
    { model: '70b', quant: 'Q8_0', workflow: 'coding', hoursPerDay: 8, kwhPrice: 0.3 },
  ],
  ['qwen2.5-coder:32b 32k context quiet', { model: 'qwen2.5-coder:32b', contextTokens: 32768, priority: 'silence' }],
  [
    'gpt-oss 120b vs m3 ultra for rag, 128k tokens',
    { model: 'gpt-oss 120b', against: 'mac-studio-m3-ultra-512gb', workflow: 'rag', contextTokens: 131072 },
  ],
  ['Mixtral 8x7B 4-bit cheapest', { model: 'mixtral 8x7b', quant: 'Q4_K_M', priority: 'budget' }],
  ['flux image gen 1024px 20 steps', { workflow: 'image', imageResolution: 1024, imageSteps: 20 }],
  [
    'deepseek r1 32b, 1m tokens/day, api $3/mtok, 5 years',
    { model: 'deepseek r1 32b', tokensPerDay: 1e6, apiPricePerMTok: 3, years: 5 },
  ],
  ['fine-tune llama 3.1 8b with qlora', { model: 'llama 3.1 8b', workflow: 'fine-tune' }],
  ['gemma 3 27b on a dgx spark', { model: 'gemma 3 27b', against: 'dgx-spark' }],
  [
    'serving qwen3 30b-a3b with vllm 24/7 €0.40/kwh',
    { model: 'qwen3 30b-a3b', workflow: 'serving', hoursPerDay: 24, kwhPrice: 0.4 },
  ],
  ['LLAMA 3.1 8B FP16 FASTEST', { model: 'llama 3.1 8b', quant: 'F16', priority: 'speed' }],
  ['bf16 gemma 3 12b', { model: 'gemma 3 12b', quant: 'BF16' }],
  ['4-bit qwen 2.5 72b chat', { model: 'qwen 2.5 72b', quant: 'Q4_K_M', workflow: 'chat' }],
  [
    'Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf for coding',
    { model: 'Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf', workflow: 'coding' },
  ],
  [
    'mlx-community/Llama-3.3-70B-Instruct-4bit silent',
    { model: 'mlx-community/Llama-3.3-70B-Instruct-4bit', priority: 'silence' },
  ],
  ['phi-4 8bit 12 hours a day 0.25/kwh', { model: 'phi-4', quant: 'Q8_0', hoursPerDay: 12, kwhPrice: 0.25 }],
  ['context 65536 llama 3.1 70b', { model: 'llama 3.1 70b', contextTokens: 65536 }],
  // Markdown bold around a quant.
  ['**Q4_K_M** gemma 3 12b', { model: 'gemma 3 12b', quant: 'Q4_K_M' }],
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

  it('says that a price in euros or pounds is read as dollars', () => {
    const r = understand(catalog, 'llama 3 8b €0.40/kWh');
    expect(r.ok && r.value.notes).toEqual(['read "€0.40/kWh" as $0.40/kWh: every figure is in US dollars']);
  });

  it('says how it read an ambiguous price', () => {
    const r = understand(catalog, 'llama 3 8b at 30 cents');
    expect(r.ok && r.value.notes[0]).toMatch(/\$0\.30\/kWh/);
  });

  it('an out-of-range number is refused by compare with the range in the message', () => {
    const r = understand(catalog, 'llama 3.1 8b 30 hours a day');
    const v = r.ok ? compare(catalog, r.value.input) : r;
    expect(!v.ok && v.error).toMatchObject({
      code: 'OUT_OF_RANGE',
      message: expect.stringMatching(/between 0.1 and 24/),
    });
  });
});

describe('fuzz: no input makes the query path throw', () => {
  const hostile = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc
      .array(
        fc.constantFrom(
          'llama',
          '70b',
          'q4',
          '/',
          ':',
          '-',
          '.gguf',
          '$',
          'kwh',
          '32k',
          '8x',
          'a3b',
          'vs',
          '4090',
          '%',
          '\\',
          '(',
          ')',
          '[',
          '"',
          '\u0000',
          '🦙',
          'ﬁ',
          '١٢٣',
        ),
        { maxLength: 40 },
      )
      .map((xs) => xs.join(' ')),
    fc.constantFrom(
      'a'.repeat(10_000),
      '('.repeat(5_000),
      '1'.repeat(5_000) + 'b',
      '-'.repeat(5_000),
      ' '.repeat(5_000),
      '$'.repeat(3_000) + '/kwh',
    ),
  );

  it(
    'resolveModel, understand and compare return results for thousands of random and hostile strings',
    { timeout: 120_000 },
    () => {
      fc.assert(
        fc.property(hostile, (s) => {
          const m = resolveModel(catalog, s);
          const u = understand(catalog, s);
          const v = compare(catalog, u.ok ? u.value.input : { model: s });
          return typeof m.ok === 'boolean' && typeof u.ok === 'boolean' && typeof v.ok === 'boolean';
        }),
        { numRuns: 2500 },
      );
    },
  );
});

describe('pasted references are found in one pass over each word', () => {
  /** The masking pattern before 2026-11 (issue 11, H2): right, but polynomial on long words. */
  const OLD_PATTERN = /^(?:\S*[a-z]\S*\d\S*[-:/]\S*|\S*[-:/]\S*\d\S*|\S+\.gguf(?:$|\W)\S*)$/i;

  it.each([
    'qwen2.5-coder:32b',
    'unsloth/Qwen3-30B-A3B-GGUF',
    'Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf',
    '30b-a3b',
    'x.gguf',
  ])('%s is a reference', (w) => {
    expect(isPastedReference(w)).toBe(true);
  });

  it.each(['coder', 'llama', '70b', '24/7', '$0.30/kWh', 'q4_k_m', '-', 'gguf'])('%s is not', (w) => {
    expect(isPastedReference(w)).toBe(false);
  });

  it('agrees with the old pattern on short random words', () => {
    const word = fc
      .array(fc.constantFrom('a', 'Z', '7', '0', '-', ':', '/', '.', '_', 'gguf', '.gguf', ')'), { maxLength: 12 })
      .map((xs) => xs.join(''));
    fc.assert(
      fc.property(word, (w) => {
        const old = w.length > 0 && OLD_PATTERN.test(w) && /[a-z]/i.test(w);
        return isPastedReference(w) === old;
      }),
      { numRuns: 3000 },
    );
  });

  it('a word longer than the cap is cut to it', () => {
    const r = understand(catalog, `llama-3.1-8b-${'x'.repeat(MAX_TOKEN_LENGTH * 2)}`);
    expect(r.ok && String(r.value.input.model).length).toBe(MAX_TOKEN_LENGTH);
  });
});

describe('adversarial text at the length cap is read in linear time', () => {
  // Shapes that made the old masking regex backtrack: runs of letters then digits with no
  // separator, alternations, repeated size and quant words. The first five took 0.24-3.8 s at 400
  // characters with the old regex (the last three 30-50 ms); every one now takes under a
  // millisecond warm. The bound leaves a busy CI machine 60x room and is still 4x below the
  // fastest of the first five.
  const cap = (unit: string) => unit.repeat(Math.ceil(MAX_TEXT_LENGTH / unit.length)).slice(0, MAX_TEXT_LENGTH);
  const SHAPES: [string, string][] = [
    ['letters then digits', 'z'.repeat(200) + '9'.repeat(200)],
    ['letter-digit alternation', cap('a1')],
    ['size words', cap('1b')],
    ['context words', cap('1k')],
    ['quant names', cap('q4_k_m')],
    ['slashes', cap('a/')],
    ['letters, digits and a separator at the end', 'z'.repeat(199) + '9'.repeat(200) + '-'],
    ['"vs" then one long word', `vs ${'a'.repeat(MAX_TEXT_LENGTH - 3)}`],
    ['"api" then a run of spaces', `api${' '.repeat(MAX_TEXT_LENGTH - 3)}`],
  ];

  it.each(SHAPES)('%s', (_name, text) => {
    understand(catalog, text);
    const started = performance.now();
    for (let i = 0; i < 3; i++) understand(catalog, text);
    expect((performance.now() - started) / 3).toBeLessThan(60);
  });

  // Absolute bounds miss a slow-growing shape (the run of spaces took 26 ms, under the bound), so
  // each shape is also timed at a quarter of the cap: linear time grows 4x, quadratic 16x, cubic 64x.
  it.each(SHAPES)('%s: four times the text takes about four times as long', (_name, text) => {
    const quarter = text.slice(0, MAX_TEXT_LENGTH / 4) + text.slice(-1);
    const time = (s: string) => {
      for (let i = 0; i < 5; i++) understand(catalog, s);
      const started = performance.now();
      for (let i = 0; i < 20; i++) understand(catalog, s);
      return performance.now() - started;
    };
    const small = time(quarter);
    const large = time(text);
    expect(large).toBeLessThan(10 * small + 10);
  });
});

describe('a 16-bit float said as a feature or a training switch', () => {
  const quantOf = (text: string) => {
    const r = understand(catalog, text, { phrasesOnly: true });
    return r.ok ? r.value.input.quant : 'error';
  };
  it.each([
    'I have tried fine-tuning with my dual Quadro RTX 6000 also setting bf16 and tf32 to false',
    'Which GPU would be good to get that supports CUDA 11.8 and bf16',
    'trained with --bf16 on two 3090s',
    'bf16=True on my 4090',
  ])('is no quant: %s', (text) => {
    expect(quantOf(text)).toBeUndefined();
  });
  it.each([
    ['run llama 3 8b in bf16 on a 4090', 'BF16'],
    ['llama 8b fp16 and q8 on a 3090', 'F16'],
    // Judged at each mention: a feature said once does not cancel the weights asked for later.
    ['should I run llama 3.1 70b in fp16 or fp8 on an H100?', 'F16'],
    ['the 4090 supports fp16, will llama 3.1 8b in fp16 fit?', 'F16'],
    ['does the 3060 support bf16? can I run llama 3.1 8b in bf16 on it?', 'BF16'],
    ['I set it to fp16 on my 3090, llama 3.1 8b', 'F16'],
    ['llama 3.1 8b fp16 = 16gb, does it fit on a 4090?', 'F16'],
  ])('is the weights format otherwise: %s', (text, quant) => {
    expect(quantOf(text)).toBe(quant);
  });
});
