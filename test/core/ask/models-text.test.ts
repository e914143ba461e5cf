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
    // A runtime, a tool, a format or a pronoun where a model's name would go.
    'can I run Ollama on my 3060',
    'how to run this model on 4090',
    'run ComfyUI on a Mac',
    'using the GPU model on Windows',
    'run LocalAI on my 3090',
    'running TensorRT-LLM on H100',
    "I'm using Q4_K_M on my 3090, how fast?",
    'Can I run the GGUF model on my 4060?',
    'will the AWQ model fit',
    'can I train LoRA on my 3060 12gb',
    'Is the Pro model enough or should I get the Max model?',
    'the Instruct model on my Mac',
  ])('%s', (text) => {
    expect(reading(text)).toBeNull();
  });
});

describe('a model the catalog does not know, named where a model goes', () => {
  it.each([
    ['Is it possible to run the BART model on the NPU in a laptop with Snapdragon x Elite?', 'BART'],
    ['How much VRAM does the OpenScholar model need on a MacBook Pro M1?', 'OpenScholar'],
  ])('%s: read by its name, unsized', (text, name) => {
    expect(reading(text)).toEqual({ id: null, name, kind: 'llm', source: 'estimate' });
  });

  it('a size inside an identifier names the identifier, sized by the size', () => {
    const r = reading('Could I run `codegen-16B-multi` model with a single A6000?');
    expect(r).toMatchObject({ name: 'codegen-16B-multi', kind: 'llm', source: 'estimate' });
    expect(r?.id).toMatch(/16b/);
    // A size alone stays the size, and so does one with a word after it.
    expect(reading('can a 3090 run a 70b model')?.name).toBe('70B');
    expect(reading('can a 3090 run a 70B-parameter model?')?.name).toBe('70B');
  });
});

describe('a typo is one edit away, never two', () => {
  it.each([
    // "swan" and "sana" share a deletion ("san") but are two edits apart.
    ['a swan image on my 4090', null],
    // "when" and "qwen" share "wen" the same way.
    ['When is gemma 3 27b worth it', 'gemma-3-27b'],
  ])('%s', (text, id) => {
    expect(reading(text)?.id ?? null).toBe(id);
  });

  it('reads Ollama as the runtime, never as a mistyped Llama', () => {
    expect(reading('Ollama is a good fit here?')).toBeNull();
    expect(reading('can my VPS host ollama for a team')).toBeNull();
  });
});

describe('short names people use', () => {
  it.each([
    ['DSv3 on two 3090s', 'deepseek-r1-671b'],
    ['DS-R1 on a mac', 'deepseek-r1-671b'],
    ['can r1 fit on 8 H100', 'deepseek-r1-671b'],
    // Phi-3-mini is the 3.8B Phi-3 (Ollama's "phi3"), never the 14B medium.
    ['phi-3 mini on a raspberry pi', 'phi-3-mini'],
    ['ollama run phi3 on 8gb', 'phi-3-mini'],
    ['phi3 medium on my 3060', 'phi-3-medium'],
    ['phi-3 medium on 3060 12GB, how fast?', 'phi-3-medium'],
  ])('%s', (text, id) => {
    expect(reading(text)?.id).toBe(id);
  });

  it('spells out the family it read, and says so', () => {
    expect(reading('DS V4 Flash on a spark')).toEqual(llm(null, 'DeepSeek V4 Flash', 'estimate'));
    expect(readModel(catalog, 'DS V4 Flash on a spark')?.mended).toBe('DeepSeek');
  });

  it('reads a version glued to the family by a "v" as that version', () => {
    expect(reading('how much VRAM for DeepSeekV3')?.id).toBe('deepseek-r1-671b');
    expect(reading('GLMv4 on a 3090')).toEqual(llm(null, 'GLM V4', 'estimate'));
  });

  it.each(['my old DS game', 'the open-r1 repo on a 4090'])('no model in %s', (text) => {
    expect(reading(text)).toBeNull();
  });
});

describe('the task spelled out in a video model name', () => {
  it.each([
    ['wan 2.2 image-to-video', 'wan-2.2-i2v-a14b'],
    ['Wan2.1 text2video 1.3B', 'wan-2.1-t2v-1.3b'],
    // The newest Wan of that task when no version is said.
    ['wan t2v on a 4090', 'wan-2.2-t2v-a14b'],
    ['wan i2v', 'wan-2.2-i2v-a14b'],
  ])('%s', (text, id) => {
    expect(reading(text)?.id).toBe(id);
  });
});

describe('the model asked about, when several are named', () => {
  it.each([
    ['I already run mistral 7b fine. Would a 4060 handle qwen3 32b?', 'qwen3-32b'],
    ['Would a 4060 handle qwen3 32b? I already run mistral 7b.', 'qwen3-32b'],
    // No question: the first named.
    ['I run gemma 3 27b and gemma 3 12b on my mac.', 'gemma-3-27b'],
    // A shorter mention of the same model is no other model.
    ['I run gemma 3 27b at 4 bit. Is gemma 3 slow on a Mac?', 'gemma-3-27b'],
  ])('%s', (text, id) => {
    expect(reading(text)?.id).toBe(id);
  });
});

describe('a family named alone, then sized', () => {
  it.each([
    // The later mention that sizes the family is the model ...
    ['qwen模型可以用哪些gpu芯片？  qwen2 72B模型在哪些GPU芯片可以跑起来', 'qwen2 72B'],
    ['qwen on a 4090? qwen3 32b specifically', 'Qwen3 32B'],
    // ... another model named beside it is not.
    ['I use llama and qwen 2.5 14b on my 3090, how fast is llama?', 'llama'],
    // ... nor a run someone has already made.
    ['Is qwen good on a 4090? My friend runs qwen2.5 0.5b on his phone.', 'qwen'],
    ['Which gpu for qwen? qwen2.5-coder 7b runs on my 3060 already but I want the biggest one', 'qwen'],
    ['I use llama 3 and qwen 2.5 14b on my 3090, how fast is llama 3?', 'Llama 3 8B'],
  ])('%s', (text, name) => {
    expect(reading(text)?.name).toBe(name);
  });
});

describe('a size said apart from the family', () => {
  it('gives the family named without one its size', () => {
    expect(reading('What does fine-tuning a 70B model take? I plan on llama 3.1.')?.id).toBe('llama-3.1-70b');
  });

  it('gives none when two sizes are said', () => {
    expect(reading('Is a 8B model or a 70B model better? I use gemma.')).toEqual(llm(null, 'gemma', 'estimate'));
  });
});

describe('names that only look like a model', () => {
  it('reads "M1/M2" as two chips, never as the id of a MiniMax M2', () => {
    expect(reading('does llama 2 work with MPS on an M1/M2 Apple machine?')?.id).toBe('llama-2-7b');
    expect(reading('is it slow on M1/M2?')).toBeNull();
  });

  it('keeps an image or video family the data has no model for out of the LLM resolver', () => {
    // SeedVR (a video upscaler) once came back as Seed-OSS 36B, an LLM that merely spells alike.
    expect(reading('upgrade to an RTX pro 6000 for SeedVR')).toEqual({
      id: null,
      name: 'SeedVR',
      kind: 'video',
      source: 'estimate',
    });
  });
});

describe('a DeepSeek distill', () => {
  it('is named by the model it was distilled into, size and all', () => {
    expect(reading('can I run deepseek distill qwen 32b')?.id).toBe('deepseek-r1-distill-qwen-32b');
    expect(reading('can I run the deepseek distilled qwen-32B on a 3090')?.id).toBe('deepseek-r1-distill-qwen-32b');
    expect(reading('deepseek r1 distill llama 70b on two 3090s')?.id).toBe('deepseek-r1-distill-llama-70b');
  });

  it('does not reach across a comma for the base', () => {
    expect(reading('I use deepseek distilled, llama 3 is worse')?.name).not.toMatch(/llama/i);
  });

  it('without a size, asks which one rather than taking the smallest', () => {
    const found = readModel(catalog, 'can I run deepseek distill on a 3090');
    expect(found?.reading.id).toBeNull();
    expect(found?.family?.models.length).toBeGreaterThan(2);
    expect(readModel(catalog, 'can I run llama instruct on a 3090')?.family).toBeDefined();
  });
});

describe('ids in Chinese text and paths', () => {
  it('ends a pasted id at the first Chinese character', () => {
    expect(reading('为什么去执行Qwen1.5-32B-Chat-GPTQ-Int4的推理时，4090比V100快')?.name).toMatch(/^Qwen1\.5-32B/);
  });

  it('reads no model from a script path', () => {
    expect(reading('为什么同样的脚本（Qwen1.5/examples/web_demo.py）很慢')).toBeNull();
    expect(reading('run scripts/train_qwen3-8b.sh on a 4090')).toBeNull();
  });
});

describe('a size said before a pasted id', () => {
  it('is the size of that model, not the default of its tag', () => {
    expect(reading('>Local 236B DeepSeek-Coder-V2: Running its Q4_K_M version')?.id).toBe('deepseek-coder-v2-236b');
    expect(reading('deepseek-coder-v2 on a 3090')?.id).toBe('deepseek-coder-v2-lite');
  });
});

describe('a family said alone in a question about video or images', () => {
  it('is the family video or image model', () => {
    expect(reading('hunyuan for video on a 4090')?.id).toBe('hunyuanvideo');
    expect(reading('can qwen make images on a 3060')?.id).toBe('qwen-image');
    expect(reading('Generating a video with a WAN on a Mac takes over ten hours.')?.kind).toBe('video');
  });

  it('and stays the LLM elsewhere, or with a size, or describing images', () => {
    expect(reading('can hunyuan a13b run on a 3090')?.kind).toBe('llm');
    expect(reading('use qwen to describe images')?.kind).toBe('llm');
    expect(reading('my WAN connection is slow')).toBeNull();
  });
});

describe('review fixes', () => {
  it('a script path names no model even at the end of the text, and question after question', () => {
    for (let i = 0; i < 3; i++) {
      expect(reading('I ran scripts/train_qwen3-8b.sh')).toBeNull();
      expect(reading('I ran examples/finetune/scripts/train_qwen3_8b_lora_config.yaml')).toBeNull();
    }
  });

  it('a size before a pasted id that has its own size keeps the id and its quant', () => {
    const found = readModel(catalog, 'the 8B unsloth/Llama-3.1-8B-Instruct-bnb-4bit on a 3060');
    expect(found?.reading.id).toBe('llama-3.1-8b');
    expect(found?.typed).toMatch(/bnb-4bit/);
  });

  it('asks which model only when the candidates differ in size', () => {
    // Phi-4-mini and Phi-3.5-mini are both 3.8B: asking would be pointless.
    expect(readModel(catalog, 'phi mini on a 3060')?.family).toBeUndefined();
    expect(readModel(catalog, 'llama vision on a 3090')?.family).toBeDefined();
  });
});

describe('pasted ids, paths and sized tags', () => {
  it('an Ollama tag the catalog does not know is the model, named as pasted and sized by its tag', () => {
    expect(reading('Models tested : lfm2.5-thinking:1.2b gemma3:270M qwen3:1.7b')).toEqual(
      llm('estimated-1.2b', 'lfm2.5-thinking:1.2b', 'estimate'),
    );
  });

  it('a later id that spells out an earlier one is the model meant', () => {
    expect(reading("Fine Tune LLama-70B. I'm trying to fine tune llama-2-70b using 8 x 48GB GPUs")?.id).toBe(
      'llama-2-70b',
    );
    // ... while two different models keep the first.
    expect(reading('run qwen3:8b and then llama3.1:8b')?.id).toBe('qwen3-8b');
  });

  it('"Hunyuan 1.5" is HunyuanVideo 1.5 (Tencent\'s LLMs are named otherwise)', () => {
    expect(reading('[Hunyuan 1.5] CUDA OOM on RTX 3090 24GB with 480p T2V (97 frames)')?.id).toBe('hunyuanvideo-1.5');
  });

  it('after the size, a slash starts the next name', () => {
    expect(reading('Model request Qwen 3.6 27b/Qwen 3.8 27b')?.name).toBe('Qwen 3.6 27b');
  });

  it("a path's last part is the model", () => {
    expect(reading('python generate.py --task ti2v-5B --ckpt_dir ../Models/Wan2.2-TI2V-5B')?.kind).toBe('video');
  });

  it('Wan with the size of one of its models is that model, "LoRA" between or not', () => {
    expect(reading('Can I train Wan Lora 1.3B in 12GB VRAM (images)?')?.id).toBe('wan-2.1-t2v-1.3b');
    expect(reading('wan')).toBeNull();
    expect(reading('my WAN')).toBeNull();
  });
});

describe('a GGUF file nothing else names', () => {
  it('is the model, named as pasted, unknown to the catalog', () => {
    expect(reading('LM Studio on an RTX 5070 Ti. Load model: nex-agi_Nex-N2-mini-Q4_K_M.gguf')).toEqual(
      llm(null, 'nex-agi_Nex-N2-mini-Q4_K_M.gguf', 'estimate'),
    );
    expect(reading('./ds4-bench -m ds4flash.gguf on an M5 Max')?.name).toBe('ds4flash.gguf');
  });

  it('yields to a name or size the catalog reads in it', () => {
    expect(reading('llama.cpp with mistral-7b-instruct-v0.2.Q5_K_M.gguf')?.id).not.toBeNull();
    expect(reading('running Llama-3.1-70B-Instruct-lorablated-Q4_K_L.gguf')?.id).not.toBeNull();
  });
});
