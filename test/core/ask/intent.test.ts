import { describe, expect, it } from 'vitest';
import { readQuestion } from '../../../src/core/ask/ask.js';
import { readIntent } from '../../../src/core/ask/intent.js';
import type { Intent, MachineReading } from '../../../src/core/ask/types.js';
import { catalog } from '../../helpers/catalog.js';

const intentOf = (text: string) => readQuestion(catalog, text).reading.intent;

const CASES: [Intent, string[]][] = [
  [
    'compare',
    [
      'mac studio or 5090 for llama 3.3 70b?',
      '4090 vs 5090 for llama 3.1 8b',
      'which is better for llama 3.3 70b, a 4090 or a mac studio?',
      'which is quieter for 24/7 llama 3.1 70b',
    ],
  ],
  ['plan', ['what can I run on a 5090', 'best models for a 16GB Mac']],
  [
    'fit',
    [
      'can I run deepseek r1 671b',
      'can I run llama 3.3 70b on my 4090',
      'will llama 3.1 70b fit on my 3090',
      'can I run Qwen 3.8 27b on RTX 2060 8GB + 48GB RAM?',
      // A model and nothing else: will it run is the question.
      'qwen 2.5 coder 32b for coding',
    ],
  ],
  [
    'speed',
    [
      'how fast is qwen3 30b on my M2 Max',
      'How fast is llama 3.1 8b on a 4090',
      'how many tok/s does a 4090 get on llama 3.1 8b',
    ],
  ],
  [
    'upgrade',
    [
      'I have a 3090, is a 5090 worth it',
      'I have a 3090 and want a 5090',
      'is a 5090 worth it over my 4090',
      'should I upgrade from my 3060 to a 4090 for qwen 2.5 coder 32b',
    ],
  ],
  ['help', ['help', '  HELP ', '?', 'how do I offload layers to the CPU in llama.cpp']],
  ['other', ['tell me a joke', 'what can you do', '']],
];

describe('the intent of a question', () => {
  for (const [intent, texts] of CASES)
    describe(intent, () => {
      it.each(texts)('%s', (text) => {
        expect(intentOf(text)).toBe(intent);
      });
    });

  // Asking which models run on a machine is a plan, though "can I run" and "run on" are fit words.
  it.each(['what models can I run on my 3090', 'which LLMs can I run on a 4090?'])('plan: %s', (text) => {
    expect(intentOf(text)).toBe('plan');
  });

  // Said in words no earlier cue had, in real questions (held-out sets 2-5, trimmed).
  it.each([
    ['help', 'I tried installing it on my machine RX9060XT to no avail.'],
    ['help', 'it uses 45GB of my 64GB Mac and the other cores remain idle. Any clues?'],
    ['help', 'Is there any plan to release a vLLM Docker version for MI100?'],
    ['help', "Mac mini 24G: Model 'gemma-4-31b-it-4bit' (18.00GB) exceeds max-model-memory (16.00GB)"],
    // The Chinese for "is there a way" and "error", as their English cues.
    ['help', '拉了Qwen3-Next-80B-A3B的镜像，有什么办法让它用GPU？'],
    ['help', 'A770 加载模型时报错'],
    ['speed', 'Please benchmark qwen3.6-27b-mtp. Have you tried running on a Strix Halo?'],
    ['speed', 'Generating a video with WAN on my 32GB RAM Mac takes over ten hours.'],
    ['speed', 'Strix halo 395 + 64GB: 8 TPS with llama 3.1 8b'],
    ['speed', '看看这个配置跑ollama里面的deepseekv3快吗 显卡：RTX4090 24Gx2张'],
    ['compare', 'Could somebody share the performance difference between an Nvidia A100 and H100?'],
    ['plan', 'which local AI models are best to run as a chatbot on a 8gb vram/16gb ram computer?'],
    ['upgrade', 'Will a more powerful GPU like the A100 offer advantages over my RTX 3090 for upscaling?'],
    ['upgrade', 'to make lora training shorter until i can retire my 3090 as my main card to acquire a 5090'],
    // ... and none of them outweighs the question's own cues.
    // (Which card to buy, none named, is what is needed: a plan, as 7 of 9 such real questions read.)
    ['plan', 'What GPU should I buy for running local LLMs? Any ideas?'],
    ['fit', 'does llama 3.1 70b q4 fit on a 4090? any ideas?'],
    ['compare', '5090 or mac studio for llama 70b, any ideas?'],
    ['fit', 'any plan to run deepseek r1 on my 4090?'],
    ['fit', "what's the difference between Q4 and Q8 for llama 3.1 8b on my 3060?"],
    ['fit', 'which model is best for coding, qwen 32b or llama 70b, on a 4090?'],
    ['fit', 'I will retire my old PC; can a 4090 run llama 70b?'],
    ['compare', "I'll run it ten hours a day: 4090 or 5090?"],
  ] as [Intent, string][])('%s: %s', (intent, text) => {
    expect(intentOf(text)).toBe(intent);
  });

  // Buying beside what one owns is the upgrade question (I have X: is Y worth it).
  it('upgrade: I have a 3090. Should I buy a 5090?', () => {
    expect(intentOf('I have a 3090. Should I buy a 5090?')).toBe('upgrade');
  });
});

describe('the machines decide close calls', () => {
  const machine = (id: string, role: MachineReading['role']): MachineReading => ({
    id,
    name: id,
    memoryGB: 24,
    gpus: 1,
    hostRamGB: null,
    role,
    known: true,
  });

  it('two machines, none owned, is a comparison', () => {
    expect(readIntent('rtx 4090 rtx 5090', [machine('rtx-4090', null), machine('rtx-5090', null)], true)).toBe(
      'compare',
    );
  });

  // An upgrade already made is no question of whether to make it: what follows is asked of the new card.
  it('a switch already made is not an upgrade question', () => {
    expect(intentOf('I upgraded from a 3060 to a 4090 last week, can I run llama 3 70b?')).toBe('fit');
    expect(intentOf('Just updated my GPU from a 2080 to a 3090, how do I stop it using so much RAM?')).not.toBe(
      'upgrade',
    );
    expect(intentOf('should I switch from a 3090 to a 5090 for llama 70b')).toBe('upgrade');
  });

  // A switch said in one clause does not answer an upgrade asked in another.
  it('a switch made elsewhere leaves the upgrade asked after it', () => {
    const roles = (text: string) => {
      const q = readQuestion(catalog, text).reading;
      return [q.intent, ...q.devices.map((d) => `${d.id}:${d.role}`)];
    };
    expect(intentOf('I switched from Ollama to llama.cpp. Is the 5090 worth it over my 4090?')).toBe('upgrade');
    expect(roles('I switched from a 3090 to a 4090 last month. Is a 5090 worth it?')).toEqual([
      'upgrade',
      'rtx-3090:null',
      'rtx-4090:current',
      'rtx-5090:candidate',
    ]);
    expect(intentOf('After upgrading llama.cpp my 3090 is slow. Should I buy a 4090?')).toBe('upgrade');
    // Someone else's switch: neither of those cards is the asker's.
    const friend = roles('My friend upgraded from a 3090 to a 4090. I have a 3080, should I upgrade to a 4090?');
    expect(friend[0]).toBe('upgrade');
    expect(friend).toContain('rtx-3080-10gb:current');
    expect(friend).not.toContain('rtx-3090:current');
  });

  // A bug report's template, "[BUG/Help]" included, reports something to fix.
  it('a [BUG/Help] report is help', () => {
    expect(intentOf('[BUG/Help] 请问运行bash train.sh需要的显卡最小资源是多少 ... 我有两块K80卡各自11G显存')).toBe(
      'help',
    );
  });

  // "Which of the two runs faster" weighs machines: a choice, whatever else the question says it runs.
  it('which of two machines is faster is a comparison', () => {
    expect(intentOf('2张显卡，一张a4000，一张2080ti，那个跑起来更快？')).toBe('compare');
    expect(intentOf('Is it faster to use a Jetson Orin 8G for Qwen models or a PC with an RX 6800 XT?')).toBe(
      'compare',
    );
    // Of quants or runtimes, not machines, it stays a speed question.
    expect(intentOf('is it faster to use q4 or q8 on my 3090')).toBe('speed');
    expect(intentOf('I have a 3090 and a 4090 in the same box, which runs faster, llama.cpp or vLLM?')).toBe('speed');
  });

  // The speed a change of machine would buy is an upgrade question, however much speed is said.
  it('how much faster by changing from one card to another is an upgrade', () => {
    const q = readQuestion(
      catalog,
      'Running it on a Tesla T4 takes 5.67s on average. How much speed will be improved by changing from Tesla T4 G1 to RTX 3090?',
    ).reading;
    expect([q.intent, ...q.devices.map((d) => d.role)]).toEqual(['upgrade', 'current', 'candidate']);
    // A speed that improved after updating software is a speed report, not an upgrade.
    expect(intentOf('after upgrading llama.cpp the speed improved a lot on my 3090')).toBe('speed');
  });

  it('one owned and one more is an upgrade', () => {
    expect(
      readIntent('rtx 3090 then rtx 5090', [machine('rtx-3090', 'current'), machine('rtx-5090', 'candidate')], true),
    ).toBe('upgrade');
  });

  it('a model alone is a fit question; nothing at all is other', () => {
    expect(readIntent('llama 3.1 8b', [], true)).toBe('fit');
    expect(readIntent('hello', [], false)).toBe('other');
  });

  it('one machine is never a comparison by itself', () => {
    expect(readIntent('rtx 4090', [machine('rtx-4090', null)], false)).not.toBe('compare');
  });
});

describe('speed said without the word speed', () => {
  it.each([
    "I try ComfyUI on my MacBook Pro M1. But on the SDXL it's take 45mn, 1h i dont understund why",
    '630 seconds to generate 5 second video on A100',
    '请问是使用ollama run deepseek-r1-70B吗？速度如何？',
    // Asking whether a figure just given is normal.
    'the generation process takes almost 1 hour per image on my Macbook Air M1. Is this normal?',
  ])('%s', (text) => {
    expect(intentOf(text)).toBe('speed');
  });
});

describe('"is this normal?" asks about speed only after a speed or a time', () => {
  it.each([
    "is it normal that llama 70b doesn't fit on my 4090?",
    'Is it reasonable to run llama 70b on a single 4090?',
    'I get out of memory with flux dev on my 3060, is this normal?',
  ])('%s', (text) => {
    expect(intentOf(text)).not.toBe('speed');
  });
});

describe('a how-to that asks whether it fits', () => {
  it.each([
    'Is there any way to finetune the MPT-7B model with dual RTX 3090s?',
    'Is there a way to make it work on 8gb vram system with 16 gb ram? I have rtx 2060 super',
  ])('%s', (text) => expect(intentOf(text)).toBe('fit'));
  it('offloading is still a how-to', () => {
    expect(intentOf('Is there anyway to offload the models/stages to another GPU? I have an nvidia 4060 TI 16GB')).toBe(
      'help',
    );
  });
});

describe('choosing, buying and listing', () => {
  it('an "or" or "vs" between two machines makes it a choice; a list of machines asked about is not', () => {
    expect(intentOf('a 4060 ti 16gb or a used 3090 for mistral small?')).toBe('compare');
    expect(intentOf('how much vram do I need for gemma 3 27b on a 4080, a 4070 and a 3060?')).toBe('fit');
    expect(intentOf('are two 3090s sufficient to finetune llama 3.1 8b? and eight A6000s for the 70b?')).toBe('fit');
  });

  it('buying beside a machine one owns is an upgrade; buying without one is a comparison', () => {
    expect(intentOf('I am thinking about buying a 5090. Right now I have a 3080 10gb.')).toBe('upgrade');
    expect(intentOf("I'm considering purchasing an M4 Max Mac Studio, how does it do with 70b models?")).toBe(
      'compare',
    );
  });

  it('asking others for their figures is a speed question', () => {
    expect(intentOf('would anyone care to run it with a 7900 XTX 24 GB?')).toBe('speed');
    expect(intentOf('is there benchmark results for the M3 Ultra with this one?')).toBe('speed');
  });

  it('"12t/s" is a speed figure even glued to its number', () => {
    expect(intentOf('I see 9t/s with my 4070 on mistral 7b, others get 40t/s. what am I doing wrong?')).toBe('speed');
  });

  it('a setup that misbehaves is a how-to', () => {
    expect(intentOf('My 3090 shows only 10GB used while loading llama 3 70b, what am I doing wrong?')).toBe('help');
    expect(intentOf('deepseek r1 is not running properly on my 8x H100 box')).toBe('help');
  });

  it('"how big a model can it run" is a plan unless a model is named', () => {
    expect(intentOf('how big a model can a 4070 ti super run?')).toBe('plan');
    expect(intentOf('4070 12G 内存32G 能跑多少B的模型')).toBe('plan');
  });

  it('"will it do?" and "does it work?" ask whether it runs', () => {
    expect(intentOf('I have a 2070 with 8gb, will one card do? or do I need two for sdxl?')).toBe('fit');
  });

  it("a guide's requirements are not a request for a guide", () => {
    expect(intentOf('the readme wants 12GB, could my 3060 12gb meet the guide requirements?')).toBe('fit');
    expect(intentOf('is there a step-by-step guide for ollama on an M2 Mac?')).toBe('help');
  });

  it('"what kind of hardware do I need" plans a machine', () => {
    expect(intentOf('what kind of hardware do I need to serve a chatbot to 20 people?')).toBe('plan');
  });
});

describe('cues real questions used (a blind set, read after it was measured)', () => {
  it.each([
    // A rate or a time of generation is a speed question.
    ['speed', 'Can the token output rate be improved? ds4: Metal device Apple M5 Max, 128.00 GiB RAM'],
    ['speed', 'inference time. My GPU is RTX4090. Theoretically RTX4090 is better than RTX4090d. Is there a problem?'],
    // How many cards, said with what they are: a configuration to plan.
    ['plan', 'How many blocks of 80g a100 are needed to fine-tune the 70b model'],
    // Changing one's own card is an upgrade.
    [
      'upgrade',
      "Is there anyone use RTX 4070 to run style2paints successfully? I am thinking to change my graphic card to improve my computer's ability of runing this program.",
    ],
    // "Help me choose" among machines is a choice.
    ['compare', 'Help me choose a GPU: do you recommend one of the following, an RTX 3060 or an RTX 4060 Ti 16GB?'],
    ['compare', 'this will help me decide between M2 Max macbookpro and M2 Ultra studio'],
    // What machine one would need: a plan.
    ['plan', 'What kind of graphics card and computer would you need?'],
    // Lacking memory is a question of fit.
    ['fit', 'Does the RTX3080 suffer from lack of VRAM on training nn-UNet models?'],
    // Hardware asked to be recommended is a plan.
    [
      'plan',
      'I want to buy the hardware to run this model at 5 tokens per second. What GPU, ram, and CPU do you recommend?',
    ],
    ['plan', '电脑配置 我想配置一台用于深度学习的个人电脑，能给我推荐一份配置吗？'],
    // A yes-or-no question of running is fit, a faster answer wished for or not ...
    ['fit', 'Will ollama run dolphin-mixtral on my gtx 1080 Ti? Will it use the gpu to generate responses faster?'],
    // ... but "can you run it" asks someone else for a figure.
    ['speed', 'Is token generation slower by 20t/s in Qwen3.8 27B? Can you run it again with the new build?'],
    // A GPU that is not used is a setup that misbehaves.
    ['help', 'Why my ollama not use gpu? I noticed that my gpu was not being used.'],
    // ... nor is a yes-or-no question that weighs machines or speeds.
    ['compare', 'Would a 5090 work better than two 3090s for qwen 32b?'],
    ['speed', 'Will two 3090s run llama 70b faster than one 4090?'],
    // Changing which GPU a runtime uses is a setup, not an upgrade; a time at inference is no speed.
    ['fit', 'How do I change the GPU ollama uses? I have a 3060 and a 1080'],
    ['fit', 'Is 24GB enough at inference time for qwen2.5 32b?'],
    // "Is it faster to use X or Y": a choice.
    ['compare', 'Is it faster to use a Jetson Orin Nano Super for inference of QWEN models or a Radeon RX 6800 XT?'],
  ] as [Intent, string][])('%s: %s', (intent, text) => {
    expect(intentOf(text)).toBe(intent);
  });
});

describe('cues of the eleventh session', () => {
  it.each([
    // A failure that happened, against what was promised, is a setup to fix ...
    ['help', 'Llama4-Scout OOM on 12GB card (RTX3060). Said 10G VRAM would be enough.'],
    // ... but a failure asked about is a question of fit.
    ['fit', 'Even with 64gb ram, will llama 70b fail on a 3060?'],
    // One more card, said as a condition, is an upgrade; "when I add" is a time.
    ['upgrade', 'If I add a 3090 to my 4090, can I run llama 70b?'],
    ['fit', 'My 3090 runs qwen 2.5 32b, but when I add more context it runs out of memory. Can it run 32k?'],
    // "How fast can I run it": the speed, though "can I run" asks whether it fits.
    ['speed', 'How fast can I run llama 3.1 70b on my M2 Ultra?'],
    // "Which RTX card" is a choice among cards.
    ['compare', 'Which RTX card for Flux dev?'],
    // "How does X compare" sets machines side by side; quants compared are not machines.
    ['compare', 'How does the M4 Max compare with a 4090 for qwen 32b?'],
    ['fit', 'how do q4 and q8 of llama 3.1 8b compare on a 3060?'],
    ['compare', '用M4 Max跑qwen 32b, 和 4090 相比哪个更快?'],
    // Two machines set against each other stay a choice, "how fast" or not; 哪个更快 of two models is none.
    ['compare', 'How fast is the 4090 compared to the 3090 for llama 70b?'],
    ['compare', 'Should I buy a 4090 or 5090? How fast can they run qwen2.5 32b?'],
    ['fit', '在4090上 llama3 8b 和 qwen2 7b 哪个更快？'],
    // 再加一张参考图 adds a picture, not a card.
    ['fit', '用flux在4090上生成图片，如果再加一张参考图，显存够吗？'],
    // Still out of memory, but (但是依然爆显存): a failure to fix; asking whether it will is fit.
    ['help', '我用4090跑qwen 32b，但是依然爆显存了'],
    ['fit', '我用4090跑qwen 32b，会爆显存吗'],
    // A frame rate is a speed.
    ['speed', '2 FPS only with RTX 5090 32Gb + 64 Gb RAM. Any ideas?'],
    // 还得去搞一张 (have to get another one): one more card.
    ['upgrade', '两张3090 24G 也不够用啊 还得去搞一张来 不知行不行'],
    // Buying a powerful card beside the one owned.
    ['upgrade', 'Does it make sense to buy a powerful graphics card? I currently have an RTX 3050.'],
    // A bug report's template says something broke.
    ['help', 'QLoRa Fine Tuning Mixtral 8x7b OOM on 2x24GB Titan RTX ### Expected Behavior I would expect it to fit.'],
    // 或 lists the cards a question is about; 还是 is the choice.
    ['fit', 'Yi-34B 需要的资源是多少？  yi-34b需要的资源是多少？单卡3090或4090能跑吗？还是需要多卡？'],
  ] as [Intent, string][])('%s: %s', (intent, text) => {
    expect(intentOf(text)).toBe(intent);
  });
});

describe('cues of the thirteenth session (set 12, read after it was measured)', () => {
  it.each([
    // Which card to get, none named: what is needed, a plan (q12011).
    ['plan', 'What card is best for training?  If i have budget up to 1000 $ what you an suggest me?'],
    // With an upgrade said, the same words ask which card to upgrade to.
    [
      'upgrade',
      "Hello !! I'm looking to upgrade my GPU. Which GPU would be good to get that supports CUDA 11.8 and bf16?",
    ],
    // Which card for a model named stays a choice among cards.
    ['compare', 'Which RTX card for Flux dev?'],
  ] as [Intent, string][])('%s: %s', (intent, text) => {
    expect(intentOf(text)).toBe(intent);
  });
});
