import { describe, expect, it } from 'vitest';
import { ask, compareNamed } from '../../../src/core/ask/ask.js';
import { askJson } from '../../../src/core/ask/json.js';
import type { AskAnswer } from '../../../src/core/ask/types.js';
import { catalog } from '../../helpers/catalog.js';

const answered = (text: string) => {
  const a = ask(catalog, text);
  expect(a.error, `${text}: ${a.error?.message}`).toBeNull();
  expect(a.clarify, `${text}: ${a.clarify?.question}`).toBeNull();
  expect(a.answer).not.toBeNull();
  return a as AskAnswer & { answer: NonNullable<AskAnswer['answer']> };
};
const compared = (a: AskAnswer) => a.answer?.devices.map((d) => d.id);

/** The table (issue 13): what each question typed there gets now. */
describe("the issue's questions", () => {
  it('mac studio or 5090 for llama 3.3 70b? compares the Mac Studio M4 Max 128GB with the RTX 5090', () => {
    const a = answered('mac studio or 5090 for llama 3.3 70b?');
    expect(a.reading.intent).toBe('compare');
    expect(a.reading.model?.id).toBe('llama-3.3-70b');
    expect(compared(a)).toEqual(['mac-studio-m4-max-128gb', 'rtx-5090']);
    expect(a.answer.verdict.headline).not.toMatch(/itself/);
  });

  it('what can I run on a 5090: a plan for the 5090, no model asked of the user', () => {
    const a = answered('what can I run on a 5090');
    expect(a.reading.intent).toBe('plan');
    expect(a.reading.model).toBeNull();
    expect(compared(a)?.[0]).toBe('rtx-5090');
  });

  it('qwen 2.5 coder 32b for coding: the coder model, for coding', () => {
    const a = answered('qwen 2.5 coder 32b for coding');
    expect(a.reading.model?.id).toBe('qwen2.5-coder-32b');
    expect(a.reading.workflow).toBe('coding');
    expect(a.answer.model?.id).toBe('qwen2.5-coder-32b');
  });

  it('which is quieter for 24/7 llama 3.1 70b: silence decides, the model is Llama 3.1 70B', () => {
    const a = answered('which is quieter for 24/7 llama 3.1 70b');
    expect(a.reading.model?.id).toBe('llama-3.1-70b');
    expect(a.reading.priority).toBe('silence');
    expect(a.reading.devices).toEqual([]);
    expect(a.answer.verdict.headline).not.toMatch(/\bfaster\b/);
  });

  // Speed ranks machines only in a choice; a fit or a help question that says "faster" reports a speed.
  it.each([
    ['which is faster for llama 3.1 70b, a 4090 or a 5090?', 'speed'],
    ['I have a 3090, is a 5090 worth it for faster llama 3.1 70b?', 'speed'],
    ['can i run llama 3.1 8b faster on my 3060 12gb?', null],
    ['llama 3.1 8b is slow on my 3060 12gb, how do I make it faster?', null],
  ])('%s: priority %s', (text, priority) => {
    expect(ask(catalog, text).reading.priority).toBe(priority);
  });

  it('Is the M4 Max worth it over a 5090 for running 70B models? asks for the M4 Max memory, then answers', () => {
    const a = ask(catalog, 'Is the M4 Max worth it over a 5090 for running 70B models?');
    expect(a.reading.model).toMatchObject({ id: 'estimated-70b', source: 'estimate' });
    expect(a.reading.devices.map((d) => d.id)).toContain('rtx-5090');
    expect(a.clarify?.question).toMatch(/M4 Max/);
    expect(a.clarify?.choices.map((c) => c.label)).toEqual(['36 GB', '48 GB', '64 GB', '128 GB']);
    const b = answered(a.clarify!.choices.at(-1)!.text);
    expect(compared(b)).toEqual(['mac-studio-m4-max-128gb', 'rtx-5090']);
  });

  it('can I run deepseek r1 671b: a fit answer for DeepSeek R1 671B', () => {
    const a = answered('can I run deepseek r1 671b');
    expect(a.reading.intent).toBe('fit');
    expect(a.answer.model?.id).toBe('deepseek-r1-671b');
  });

  it('can I run Qwen 3.8 27b on RTX 2060 8GB + 48GB RAM? sizes the model and knows the machine', () => {
    const a = answered('can I run Qwen 3.8 27b on RTX 2060 8GB + 48GB RAM?');
    expect(a.reading.intent).toBe('fit');
    expect(a.reading.model).toMatchObject({ id: 'estimated-27b', name: 'Qwen 3.8 27b' });
    expect(a.reading.devices).toEqual([
      {
        // No RTX 2060 had 8 GB; the 2060 SUPER did, so the machine is that card.
        id: 'rtx-2060-super-ram-48gb',
        name: expect.any(String),
        memoryGB: 8,
        gpus: 1,
        hostRamGB: 48,
        role: null,
        known: true,
      },
    ]);
    expect(a.answer.verdict.headline).toMatch(/^(RTX )?2060/);
  });

  it('qwen3 30b a3b mlx 4bit: the 5090 is evaluated with a GGUF quant, never MLX', () => {
    const a = answered('qwen3 30b a3b mlx 4bit');
    expect(a.reading.model?.id).toBe('qwen3-30b-a3b');
    const cuda = a.answer.devices.find((d) => d.id === 'rtx-5090')!;
    expect(cuda.quant).not.toMatch(/MLX/);
  });

  // A runtime-specific quant applies to the machines that run it; the others get its GGUF equivalent.
  it('qwen3 30b a3b mlx 4bit: the Mac runs MLX 4-bit and the 5090 says it got the GGUF equivalent', () => {
    const a = answered('qwen3 30b a3b mlx 4bit');
    expect(a.reading.quant).toBe('MLX-4bit');
    const cuda = a.answer.devices.find((d) => d.id === 'rtx-5090')!;
    expect(cuda.quantNote).toMatch(/closest GGUF/);
  });

  it('a pasted MLX id: the Mac runs MLX, the 5090 the GGUF equivalent, and says so', () => {
    const a = answered('mlx-community/Qwen3-30B-A3B-4bit');
    expect(a.reading.quant).toBe('MLX-4bit');
    const [cuda, mac] = a.answer.devices;
    expect(cuda).toMatchObject({ id: 'rtx-5090', quant: 'Q4_K_M', quantNote: expect.stringMatching(/closest GGUF/) });
    expect(mac).toMatchObject({ backend: 'metal', quant: 'MLX-4bit' });
  });

  it('flux dev image generation: an image answer', () => {
    const a = answered('flux dev image generation');
    expect(a.reading.model).toMatchObject({ id: 'flux-1-dev', kind: 'image' });
    expect(a.reading.workflow).toBe('image');
    expect(a.answer.query.workflow).toBe('image');
    expect(a.answer.verdict.headline).toMatch(/image/);
    expect(a.answer.verdict.headline).not.toMatch(/tok\/s/);
  });

  it('wan 2.1 video: the headline speaks of video, never of an LLM', () => {
    const a = answered('wan 2.1 video');
    expect(a.reading.model).toMatchObject({ id: 'wan-2.1-t2v-14b', kind: 'video' });
    expect(a.reading.workflow).toBe('video');
    const { headline } = a.answer.verdict;
    expect(headline).toMatch(/Wan 2\.1/);
    expect(headline).not.toMatch(/llama|qwen|tok\/s/i);
  });
});

describe("compare's structured model option (CLI --model, Discord /compare model:)", () => {
  it('a video model named as the model is a video question: the headline speaks of the clip, not tok/s', () => {
    const { verdict, notes } = compareNamed(catalog, { model: 'wan 2.1 14b', workflow: 'video' });
    expect(verdict.ok).toBe(true);
    if (!verdict.ok) return;
    expect(verdict.value.query.workflow).toBe('video');
    expect(verdict.value.model?.name ?? '').not.toMatch(/wan/i);
    expect(verdict.value.verdict.headline).toMatch(/Wan 2\.1/);
    expect(verdict.value.verdict.headline).not.toMatch(/tok\/s/);
    expect(notes.join(' ')).toMatch(/video model/);
  });

  it('an image model sets the image workflow even when another was chosen, and says so', () => {
    const { verdict, notes } = compareNamed(catalog, { model: 'flux dev', workflow: 'chat' });
    expect(verdict.ok && verdict.value.query.workflow).toBe('image');
    expect(notes.join(' ')).toMatch(/chat of image models has no estimate/);
  });

  it('an LLM goes to compare unchanged', () => {
    const { verdict, notes } = compareNamed(catalog, { model: 'llama 3.3 70b' });
    expect(verdict.ok && verdict.value.model?.id).toBe('llama-3.3-70b');
    expect(notes).toEqual([]);
  });
});

describe('asking back', () => {
  it('a Mac without its memory: which memory, with sizes to pick', () => {
    const a = ask(catalog, 'can I run llama 3.1 8b on my Mac');
    expect(a.answer).toBeNull();
    expect(a.error).toBeNull();
    expect(a.clarify?.question).toMatch(/memory/);
    expect(a.clarify?.choices.map((c) => c.label)).toEqual(['8 GB', '24 GB', '48 GB', '128 GB', '512 GB']);
  });

  it.each([
    ['can my M3 Max 40-core run llama 70b', ['48 GB', '64 GB', '128 GB']],
    ['M4 Max 40 core GPU for qwen3 32b', ['48 GB', '64 GB', '128 GB']],
    ['M4 Max 16c cpu 40c gpu, llama 70b?', ['48 GB', '64 GB', '128 GB']],
    ['M4 Max 40 GPU cores for llama 70b', ['48 GB', '64 GB', '128 GB']],
    ['M3 Max 30-core for llama 70b', ['36 GB', '96 GB']],
  ])('%s: the GPU bin said offers only the sizes that bin shipped with', (text, sizes) => {
    expect(ask(catalog, text).clarify?.choices.map((c) => c.label)).toEqual(sizes);
  });

  it('a bin sold in one size fixes the memory: the 32-core M4 Max is 36 GB, no ask-back', () => {
    const a = ask(catalog, 'M4 Max (32c) for llama 3.1 8b');
    expect(a.clarify).toBeNull();
    expect(a.reading.devices[0]).toMatchObject({ id: 'mac-studio-m4-max-36gb', memoryGB: 36, gpus: 1 });
  });

  it('a fit question without a model: which model, with models to pick', () => {
    const a = ask(catalog, 'can I run on my 4090');
    expect(a.answer).toBeNull();
    expect(a.clarify?.question).toMatch(/Which model/);
    expect(a.clarify?.choices.map((c) => c.label)).toEqual(['llama 3.1 8b', 'qwen3 30b a3b', 'llama 3.3 70b']);
  });

  /** The labels of the choices that, asked again, get no answer. */
  const unanswered = (text: string) => {
    const a = ask(catalog, text);
    expect(a.clarify, text).not.toBeNull();
    return a.clarify!.choices.filter((c) => ask(catalog, c.text).answer === null).map((c) => c.label);
  };

  it.each([
    'can I run on my 4090',
    'how fast is my 4090',
    'how fast is qwen3 30b on my M2 Max',
    'm4 max for llama 3.3 70b',
  ])('every choice of "%s", asked again, gets an answer', (text) => {
    expect(unanswered(text)).toEqual([]);
  });

  it('a Mac of 8, 24, 48 or 128 GB, picked, gets an answer', () => {
    const a = ask(catalog, 'can I run llama 3.1 8b on my Mac');
    for (const choice of a.clarify!.choices.filter((c) => c.label !== '512 GB')) {
      const again = ask(catalog, choice.text);
      expect(again.clarify, choice.text).toBeNull();
      expect(again.answer?.devices[0]?.id).toBe(`generic-mac-${parseInt(choice.label)}gb`);
    }
  });

  // The size goes right after the machine's words ("a Mac 512GB or a 5090"), so the 512 GB choice,
  // which only the M3 Ultra was sold with, answers for that Mac instead of asking again.
  it.each(['can I run llama 3.1 8b on my Mac', 'a Mac or a 5090 for llama 3.1 8b', 'llama 3.1 8b on a MacBook Pro'])(
    'every choice of "%s", asked again, gets an answer',
    (text) => {
      expect(unanswered(text)).toEqual([]);
    },
  );
});

describe('errors', () => {
  it('an unknown model without a size: UNKNOWN_MODEL with a hint that shows how to add one', () => {
    const a = ask(catalog, 'can I run GLM-5.1 on my 4090');
    expect(a.answer).toBeNull();
    expect(a.clarify).toBeNull();
    expect(a.error?.code).toBe('UNKNOWN_MODEL');
    expect(a.error?.message).toMatch(/GLM-5\.1/);
    expect(a.error?.hint).toMatch(/GLM-5\.1 32b/);
  });

  it('help alone gets neither an answer nor an ask-back', () => {
    expect(ask(catalog, 'help')).toMatchObject({
      answer: null,
      clarify: null,
      error: null,
      reading: { intent: 'help' },
    });
  });
});

describe('one machine', () => {
  it.each([
    ['can I run llama 3.3 70b on my 4090', /^RTX 4090 runs Llama 3\.3 70B/],
    ['can I run llama 3.1 8b on my 4090', /^Yes: Llama 3\.1 8B .*fits on RTX 4090/],
    ['can I run deepseek r1 671b on my 3090', /^DeepSeek-R1 .* does not fit on RTX 3090/],
    ['how fast is qwen3 30b on my M2 Max 64GB', /^Yes: Qwen3 30B-A3B .*fits on M2 Max 64GB/],
  ])('%s: the headline is that machine’s answer', (text, headline) => {
    const a = answered(text);
    expect(a.answer.verdict.headline).toMatch(headline);
    expect(a.answer.verdict.headline).not.toMatch(/RTX 5090|M4 Max/);
  });
});

describe('askJson', () => {
  it('has exactly the keys of the contract, in order', () => {
    for (const text of ['4090 vs 5090 for llama 3.1 8b', 'my Mac', 'can I run GLM-5.1', 'help']) {
      const j = askJson(ask(catalog, text), 'q1');
      expect(Object.keys(j)).toEqual([
        'id',
        'intent',
        'model',
        'quant',
        'contextTokens',
        'workflow',
        'priority',
        'devices',
        'answer',
        'clarify',
        'error',
      ]);
      for (const d of j.devices) expect(Object.keys(d)).toEqual(['id', 'name', 'memoryGB', 'gpus', 'role']);
      expect(j.id).toBe('q1');
      expect(JSON.parse(JSON.stringify(j))).toEqual(j);
    }
  });

  it('puts an ask-back on one line with its choices, and an error without its hint', () => {
    expect(askJson(ask(catalog, 'my Mac')).clarify).toBe(
      'How much memory does the Mac have? It decides what fits. 8 GB | 24 GB | 48 GB | 128 GB | 512 GB',
    );
    expect(askJson(ask(catalog, 'can I run GLM-5.1')).error).toEqual({
      code: 'UNKNOWN_MODEL',
      message: "I don't know GLM-5.1 yet, so I can't size it.",
    });
  });

  it('id defaults to null', () => {
    expect(askJson(ask(catalog, 'help')).id).toBeNull();
  });
});

describe('headlines about what was asked', () => {
  it('what runs on one machine: the largest table model in its memory, and what runs only with offload', () => {
    const mac = answered('what can I run on my M2 Max 64GB macbook');
    expect(mac.reading.intent).toBe('plan');
    expect(mac.answer.verdict.headline).toMatch(
      /^On M2 Max 64GB: up to Llama 3 70B Q4_K_M \(~[\d.]+ tok\/s\) in memory\./,
    );
    const card = answered('what models can I run on my 3060 12gb');
    expect(card.answer.verdict.headline).toMatch(/^On RTX 3060 12GB: up to .+ in memory; .+ only with offload\./);
  });

  it('two machines without a model: the faster and the larger, the right way round whatever the order', () => {
    const macFirst = answered('M4 Max 128GB or 5090?').answer.verdict.headline;
    expect(macFirst).toMatch(/RTX 5090 is faster on what fits in its memory; M4 Max 128GB holds what does not/);
    const both = answered('RTX 4090 or 2x 3090?').answer.verdict.headline;
    expect(both).toMatch(/RTX 4090 is faster on what fits in its memory; 2x RTX 3090 holds what does not/);
    // One machine both faster and larger says so instead of "it depends".
    expect(answered('5090 or 3060 12gb?').answer.verdict.headline).toMatch(/^RTX 5090 is faster and holds more/);
  });

  it('an image model without figures of its own says so and names the workload it shows for scale', () => {
    const h = answered('can I run stable diffusion 1.5 on my 3060').answer.verdict.headline;
    expect(h).toMatch(/no image-speed figures for Stable Diffusion 1\.5 yet; Stable Diffusion XL takes ~/);
  });
});

describe('a machine it cannot read', () => {
  it.each(['can my gpu run llama 3.1 8b', 'will llama 3.3 70b run on my laptop?', 'can my Quadro K2200 run qwen3 8b'])(
    '%s: says so and asks for its memory, and each choice then answers',
    (text) => {
      const a = ask(catalog, text);
      expect(a.clarify?.question).toMatch(/I can't tell which .+ How much GPU memory/);
      for (const c of a.clarify!.choices) {
        const again = ask(catalog, c.text);
        expect(again.clarify, c.text).toBeNull();
        expect(again.answer?.devices[0]?.id).toMatch(/^generic-gpu-\d+gb$/);
      }
    },
  );
});

describe('hardware the catalog does not hold', () => {
  it.each([
    ['Can I run qwen 72b on 8x Ascend 910B 64GB?', /^generic-gpu-\d+gb$/],
    ['Can a Tenstorrent QuietBox run llama 3.1 70B?', /^generic-gpu-\d+gb$/],
    ['will llama 3 8b run on my Orange Pi 5 with 16GB?', /^cpu-ddr5-\d+gb$/],
    ['can my iPhone 15 Pro run gemma 3 4b?', /^cpu-ddr5-\d+gb$/],
  ])('%s: says it does not know it, asks for its memory, and each choice then answers', (text, device) => {
    const a = ask(catalog, text);
    expect(a.answer).toBeNull();
    expect(a.clarify?.question).toMatch(/^I don't know the .+: whichgpu has no model of it yet\./);
    for (const c of a.clarify!.choices) {
      const again = ask(catalog, c.text);
      expect(again.clarify, c.text).toBeNull();
      expect(again.answer?.devices[0]?.id).toMatch(device);
    }
  });

  it('a named machine beside a phone is answered as asked', () => {
    expect(ask(catalog, 'can my 3060 run gemma 3 4b like my phone does?').clarify).toBeNull();
  });
});

describe('quantizations wherever they are written', () => {
  it.each([
    ['testing (Qwen3.6-35B-A3B UD-MLX-4bit) on my M1 Max 32gb', 'MLX-4bit'],
    ['想问一下运行GLM-4.5V-FP8最小GPU内存大概是多少', 'FP8'],
    ['导入4bit量化后的gguf格式模型，4060ti 16g', 'Q4_K_M'],
    ['serve Qwen-32B-chat-AWQ on 2x 3090', 'AWQ'],
    ['70B GPTQ finetuning on a 48GB GPU', 'GPTQ'],
    ['QLoRA with nf4 on a 24GB card', 'NF4'],
    // A model file's quant, read from its name whole; legacy, '_L' and Unsloth's UD variants too.
    ['wizardLM-13B-Uncensored.ggmlv3.q4_0.bin on a 3090', 'Q4_0'],
    ['alpaca-lora-65B.ggml.q5_1.bin on 64GB of RAM', 'Q5_1'],
    ['Llama-3.1-70B-Instruct-lorablated-Q4_K_L.gguf on a 4070 ti super', 'Q4_K_M'],
    ['DeepSeek-R1-UD-IQ1_S on 2x 3090', 'IQ1_S'],
    ['qwen3 30b UD-Q4_K_XL on a 3090', 'Q4_K_M'],
    // Of several files, the model's own, never an embedding model's.
    ['Using nomic-embed-text-v1.5.f16.gguf for RAG and llama-3-8b-instruct.Q4_K_M.gguf on a 3060', 'Q4_K_M'],
  ])('%s -> %s', (text, quant) => {
    expect(ask(catalog, text).reading.quant).toBe(quant);
  });

  it("the quant in the model's own file wins over one said of another file, and the answer runs it", () => {
    const a = ask(
      catalog,
      'Download unsloth/gemma-4-31B-it-GGUF/gemma-4-31B-it-IQ4_XS.gguf, replace the FP32 mmproj with the BF16 version, on my 4090',
    );
    expect(a.reading.quant).toBe('IQ4_XS');
    expect(a.reading.input.quant).toBe('IQ4_XS');
  });

  it("the answer runs the quant of the model's own id even when no other quant is said", () => {
    expect(ask(catalog, 'Qwen1.5-32B-Chat-GPTQ-Int4 on a 4090').reading.input.quant).toBe('GPTQ');
  });

  it.each([
    "I'm running gemma-3-27b-it-Q4_K_M.gguf on a 3090 with the KV cache at q8_0 instead of f16, how fast?",
    'Qwen3-32B-Q4_K_M.gguf on a 3090 - I picked it instead of the fp16 because of memory. How fast is it?',
    'I run Qwen2.5-VL-7B-Instruct-Q4_K_M.gguf with the f16 mmproj on my 3060; should I use llama.cpp instead of ollama?',
  ])("a quant turned down, or a cache's or an mmproj's, never replaces the file's: %s", (text) => {
    expect(ask(catalog, text).reading.input.quant).toBe('Q4_K_M');
  });

  it("a quant asked for instead of the file's is the one answered", () => {
    const a = ask(
      catalog,
      'I downloaded qwen2.5-14b-instruct-q4_k_m.gguf but want to try Q8_0 instead, will it fit on a 4070 ti super 16gb?',
    );
    expect(a.reading.quant).toBe('Q8_0');
    expect(a.reading.input.quant).toBe('Q8_0');
  });
});

describe('a model family named alone', () => {
  it.each(['which is better for qwen', 'can I run llama on my 3060', 'gemma on my mac studio'])(
    '%s: asks which model, and every choice then answers for that model',
    (text) => {
      const a = ask(catalog, text);
      expect(a.clarify?.question).toMatch(/^Which (Qwen|Llama|Gemma) do you mean\?/);
      expect(a.clarify!.choices.length).toBeGreaterThan(1);
      for (const c of a.clarify!.choices) {
        const again = ask(catalog, c.text);
        expect(again.clarify, c.text).toBeNull();
        expect(again.answer?.model?.name, c.text).toBe(c.label);
      }
    },
  );
});

describe('a machine without a price', () => {
  it('is never the cheaper one: cost is not compared, and the reason says so', () => {
    const a = answered('llama 3.1 8b on a mi50 32gb vs mac studio, cheapest');
    const mi50 = a.answer.devices.find((d) => d.id === 'mi50-32gb')!;
    expect(mi50.priceUSD).toEqual({ low: 0, high: 0 });
    expect(a.answer.verdict.headline).not.toMatch(/cheaper/);
    expect(a.answer.verdict.reasons.join(' ')).toMatch(/MI50 32GB: no price in the catalog, so cost is not compared/);
  });
});

describe('what a second review found', () => {
  it('a count glued to a model number: "2x3090" is two RTX 3090s, "8x7b" still no machine', () => {
    expect(ask(catalog, 'can i run llama 3.1 70b on 2x3090').reading.devices.map((d) => [d.id, d.gpus])).toEqual([
      ['2x-rtx-3090', 2],
    ]);
    expect(ask(catalog, 'mixtral 8x7b').reading.devices).toEqual([]);
  });

  it('a long message is read to its end (the question often comes last)', () => {
    const text = `${'Some context about my project and what I tried so far. '.repeat(18)}can my 3090 run llama 3.3 70b?`;
    expect(text.length).toBeGreaterThan(900);
    const r = ask(catalog, text).reading;
    expect([r.devices[0]?.id, r.model?.id]).toEqual(['rtx-3090', 'llama-3.3-70b']);
  });

  it('a temperature is no electricity price', () => {
    expect(ask(catalog, 'my 4090 hits 83C running llama 3.1 8b').reading.notes.join(' ')).not.toMatch(/kWh/);
    expect(ask(catalog, 'llama 3.1 8b on a 4090 at 30c/kwh').reading.input.kwhPrice).toBe(0.3);
  });

  it('a fine-tuning question is answered with what training needs', () => {
    expect(answered('can i fine-tune llama 3.1 70b on a single 4090').answer.verdict.headline).toMatch(
      /^RTX 4090 cannot fine-tune Llama 3\.1 70B: even QLoRA needs ~[\d.]+ GB/,
    );
    expect(answered('can i fine-tune llama 3.1 8b on a single 4090').answer.verdict.headline).toMatch(
      /^RTX 4090 can fine-tune Llama 3\.1 8B with LoRA/,
    );
  });

  it('a sliver of offload is not called slow', () => {
    const h = answered('can I run qwen3 30b a3b on 2x 3090').answer.verdict.headline;
    expect(h).not.toMatch(/slow/);
  });

  it('"upgrade from X to Y": the first is owned, the second is the candidate', () => {
    expect(ask(catalog, 'upgrade from 3080 to 4090 for qwen 32b').reading.devices.map((d) => d.role)).toEqual([
      'current',
      'candidate',
    ]);
  });

  it("a how-to naming a model and a machine gets that machine's answer", () => {
    // "How to run X on Y" asks whether it runs there: people who ask it want the fit.
    const a = answered('how do I run llama 3.3 70b on my 3090?');
    expect(a.reading.intent).toBe('fit');
    expect(a.answer.verdict.headline).toMatch(/^RTX 3090 runs Llama 3\.3 70B/);
  });
});

describe('what the second review left, fixed after', () => {
  it('"llama 8b" is a Llama, not the DeepSeek distill of one', () => {
    expect(ask(catalog, 'can i run llama 8b on a 3060 12gb').reading.model?.id).toBe('llama-3.1-8b');
  });
  it('a Mac form word does not reach across "vs", and the two Macs stay two with distinct names', () => {
    const a = answered('macbook pro m4 max 128gb vs mac studio m4 max 128gb for llama 70b');
    expect(a.reading.devices.map((d) => d.id)).toEqual(['macbook-pro-m4-max-128gb', 'mac-studio-m4-max-128gb']);
    const [x, y] = a.answer.devices.map((d) => d.shortName);
    expect(x).not.toBe(y);
  });
  it('more than 16 cards are counted as 16, and the answer says so', () => {
    const a = answered('can i run llama 3.3 70b on 32x h100');
    expect(a.reading.devices[0]?.id).toBe('16x-h100-sxm');
    expect(a.reading.notes.join(' ')).toMatch(/counted 32 H100 SXM as 16/);
  });
});

describe('Macs and defaults said plainly', () => {
  it('a MacBook Air is offered only the memory MacBook Airs shipped with', () => {
    const sizes = ask(catalog, 'what model can I run on my macbook air').clarify!.choices.map((c) => parseInt(c.label));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(32);
  });
  it('a Mac size no Mac had is answered for the nearest one, and said', () => {
    const a = answered('mac studio 1tb for deepseek r1');
    expect(a.reading.devices[0]?.memoryGB).toBe(512);
    expect(a.reading.notes.join(' ')).toMatch(/no Mac shipped with 1024 GB; answered for 512 GB/);
  });
  it('a question with no machine says the answer is for the default pair', () => {
    expect(answered('is 24gb enough for a 70b model').reading.notes.join(' ')).toMatch(
      /no machine named: answered for the RTX 5090/,
    );
  });
});

describe('the workflow a model implies', () => {
  it('a coder model is asked about for coding unless another workflow is said', () => {
    expect(ask(catalog, 'can my 4070 ti super run qwen2.5 coder 14b?').reading.workflow).toBe('coding');
    expect(ask(catalog, 'fine-tune qwen2.5 coder 7b on a 3090').reading.workflow).toBe('fine-tune');
  });

  it('a video model stays video whatever image words come with it', () => {
    expect(ask(catalog, 'wan 2.2 5b in comfyui on a 4060 ti 16gb, will it run?').reading.workflow).toBe('video');
  });
});

describe('"half" alone is not a precision', () => {
  it('"half an hour" names no quant; "half precision" is F16', () => {
    expect(ask(catalog, 'sdxl took half an hour on my m1 max 32gb').reading.quant).toBeNull();
    expect(ask(catalog, 'llama 3 8b in half precision on a 3060').reading.quant).toBe('F16');
  });
});

describe('"what can I run" and "should I upgrade" without a model are answered with a plan', () => {
  it('a plan for the machine named, in the workflow asked', () => {
    const a = ask(catalog, 'what can I run on my 3090 for coding?');
    expect(a.plan?.devices.map((d) => d.id)).toEqual(['rtx-3090']);
    expect(a.plan?.query.workflow).toBe('coding');
    expect(askJson(a).answer).toBe(a.plan);
  });

  it('an upgrade: the owned machine is current, the other a candidate', () => {
    const a = ask(catalog, 'I have a 3090, is a 5090 worth it?');
    expect(a.plan?.devices.map((d) => [d.id, d.role])).toEqual([
      ['rtx-3090', 'current'],
      ['rtx-5090', 'candidate'],
    ]);
    expect(a.plan?.upgrade?.from).toBe('rtx-3090');
  });

  it('with a model named, it stays a verdict about that model', () => {
    expect(ask(catalog, 'I have a 3090, is a 5090 worth it for llama 3.3 70b?').plan).toBeUndefined();
  });
});

describe('a plan only for what the planner ranks', () => {
  it('"what image models can I run" gets an image plan for the machine asked, never a chat plan', () => {
    const a = ask(catalog, 'what image models can I run on my 3060 12gb?');
    expect(a.reading.workflow).toBe('image');
    expect(a.plan?.query.workflow).toBe('image');
    expect(a.plan?.devices.map((d) => d.id)).toEqual(['rtx-3060-12gb']);
    expect(a.plan?.devices[0]!.picks.every((p) => p.model.kind === 'image')).toBe(true);
  });

  it('"what can I fine-tune on a 4090?" is a fine-tuning plan for that card', () => {
    const a = ask(catalog, 'what can I fine-tune on a 4090?');
    expect([a.reading.intent, a.plan?.query.workflow, a.plan?.devices[0]?.id]).toEqual([
      'plan',
      'fine-tune',
      'rtx-4090',
    ]);
  });

  it('a training-from-scratch question stays a verdict', () => {
    const a = ask(catalog, 'what can I run on my 3090 for training from scratch?');
    expect([a.reading.intent, a.reading.workflow]).toEqual(['plan', 'training']);
    expect(a.plan).toBeUndefined();
  });
});

describe('an image said by its numbers', () => {
  const workflow = (text: string) => ask(catalog, text).reading.workflow;
  it('is image generation when no LLM is asked about', () => {
    expect(workflow('it takes a minute at 20 steps on my 3060')).toBe('image');
    expect(workflow('render time 512x512 on my arc a770')).toBe('image');
  });

  it('is not where an LLM is asked about or the size is a screen', () => {
    expect(workflow('I game at 2560x1440 on a 4090, can it run qwen3 32b?')).toBeNull();
    expect(workflow('qwen3 8b on a 3090, 20 steps of reasoning')).toBeNull();
    expect(workflow('3840x2160 monitor, 4090, how fast')).toBeNull();
  });
});

describe('the headline of a machine faster per request but slower at generating', () => {
  it('speaks of the request, never of "1.0x faster" beside a lower tok/s', () => {
    const a = answered('jetson orin nano 8gb vs snapdragon x elite 32gb for llama 3.2 3b');
    const [w, l] = a.answer.devices;
    const headline = a.answer.verdict.headline;
    expect(headline).not.toMatch(/1\.0x faster/);
    if (w && l && headline.startsWith(w.shortName) && w.decodeTokensPerSec! < l.decodeTokensPerSec!)
      expect(headline).toMatch(/faster per chat request .* though .* generates faster/);
  });
});

describe('a speech model', () => {
  it('gets a clear answer that it is outside what whichgpu estimates, never a size to add', () => {
    const a = ask(catalog, 'whisper large on a 3060');
    expect(a.answer).toBeNull();
    expect(a.error?.message).toMatch(/speech or audio model whichgpu does not estimate/);
    expect(a.error?.hint).not.toMatch(/32b/);
  });
});

describe('an upgrade asked after a switch already made', () => {
  it('answers the card owned now against the one asked about, not the one left behind', () => {
    const a = answered('I switched from a 3090 to a 4090 last month. Is a 5090 worth it for llama 3.3 70b?');
    expect(a.reading.intent).toBe('upgrade');
    expect(compared(a)).toEqual(['rtx-4090', 'rtx-5090']);
  });
});
