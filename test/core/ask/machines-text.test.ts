import { describe, expect, it } from 'vitest';
import { deviceOfMention, readMachines } from '../../../src/core/ask/machines-text.js';
import { ask, readQuestion } from '../../../src/core/ask/ask.js';
import type { MachineRole } from '../../../src/core/ask/types.js';
import { catalog } from '../../helpers/catalog.js';

interface Expected {
  chip: string;
  /** The catalog machine the mention stands for. */
  device: string;
  /** The memory as said (null: not said, the chip's usual size is assumed). */
  memoryGB: number | null;
  gpus: number;
  hostRamGB: number | null;
  role: MachineRole;
}

const read = (text: string) =>
  readMachines(catalog, text).map((m): Expected => ({
    chip: m.chip.id,
    device: deviceOfMention(catalog, m).id,
    memoryGB: m.memoryGB,
    gpus: m.gpus,
    hostRamGB: m.hostRamGB,
    role: m.role,
  }));

const one = (
  chip: string,
  device: string,
  memoryGB: number | null,
  more: Partial<Pick<Expected, 'gpus' | 'hostRamGB' | 'role'>> = {},
): Expected[] => [{ chip, device, memoryGB, gpus: 1, hostRamGB: null, role: null, ...more }];

const CASES: [string, Expected[]][] = [
  ['my 3060 12gb', one('rtx-3060', 'rtx-3060-12gb', 12, { role: 'current' })],
  ['M2 Max 64GB MacBook', one('m2-max', 'macbook-pro-m2-max-64gb', 64)],
  ['2x 3090 + 128GB DDR4', one('rtx-3090', '2x-rtx-3090-ram-128gb', null, { gpus: 2, hostRamGB: 128 })],
  ['4x MI50', one('mi50', '4x-mi50-32gb', null, { gpus: 4 })],
  ['a 16GB Mac', one('generic-mac', 'generic-mac-16gb', 16)],
  ['my 24GB Mac', one('generic-mac', 'generic-mac-24gb', 24, { role: 'current' })],
  ['a 16GB GPU', one('generic-gpu', 'generic-gpu-16gb', 16)],
  // A CPU host's memory is its RAM.
  ['CPU only with 48GB RAM', one('cpu-ddr5', 'cpu-ddr5-48gb', 48, { hostRamGB: 48 })],
  ['8张4090', one('rtx-4090', '8x-rtx-4090', null, { gpus: 8 })],
  ['RTX 4090 24GB GDDR6X + DDR4 64GB', one('rtx-4090', 'rtx-4090-ram-64gb', 24, { hostRamGB: 64 })],
  // Only the M2 Ultra was sold in a Mac Studio with 192 GB.
  ['Mac Studio 192GB', one('m2-ultra', 'mac-studio-m2-ultra-192gb', 192)],
  ['mac studio m3 utra 512gb', one('m3-ultra', 'mac-studio-m3-ultra-512gb', 512)],
  // 96 GB is what the two cards hold together: each is the 48 GB L40S as sold.
  [
    'I have 2 NVIDIA L40s which provide 96GB VRAM, but my memory is only 256GB. Is it possible to run the Deepseek R1?',
    one('l40s', '2x-l40s-ram-256gb', 48, { gpus: 2, hostRamGB: 256, role: 'current' }),
  ],
  ['Strix Halo 128GB', one('ryzen-ai-max-395', 'ryzen-ai-max-395-128gb', 128)],
  // The curated DGX Spark, through its chip.
  ['DGX Spark', one('gb10', 'dgx-spark', null)],
  ['RTX 4060 8GB on the laptop', one('rtx-4060-laptop', 'rtx-4060-laptop', 8)],
  ['my 4060 laptop', one('rtx-4060-laptop', 'rtx-4060-laptop', null, { role: 'current' })],
  ['MacBook Pro M4 Max 128GB', one('m4-max', 'macbook-pro-m4-max-128gb', 128)],
  ['mac mini m4 16gb', one('m4', 'mac-mini-m4-16gb', 16)],
  // A size said without its unit, next to an Apple chip that shipped with it.
  ['M3 Ultra 512', one('m3-ultra', 'mac-studio-m3-ultra-512gb', 512)],
  // "Mac Studio" alone is the default Mac.
  ['Mac Studio', one('m4-max', 'mac-studio-m4-max-128gb', 128)],
  ['4060ti16gb', one('rtx-4060-ti', 'rtx-4060-ti-16gb', 16)],
  ['3090x2', one('rtx-3090', '2x-rtx-3090', null, { gpus: 2 })],
  ['two 3090s', one('rtx-3090', '2x-rtx-3090', null, { gpus: 2 })],
  ['4xRTX 3090', one('rtx-3090', '4x-rtx-3090', null, { gpus: 4 })],
  ['8 x 4090', one('rtx-4090', '8x-rtx-4090', null, { gpus: 8 })],
  ['my 4090 with 128 GB of RAM', one('rtx-4090', 'rtx-4090-ram-128gb', null, { hostRamGB: 128, role: 'current' })],
  ['5090 with 32GB of VRAM, 128GB of RAM', one('rtx-5090', 'rtx-5090-ram-128gb', 32, { hostRamGB: 128 })],
  ['buy a 5090', one('rtx-5090', 'rtx-5090', null, { role: 'candidate' })],
  ['4090 vs 5090', [...one('rtx-4090', 'rtx-4090', null), ...one('rtx-5090', 'rtx-5090', null, { role: 'candidate' })]],
];

describe('machines in a question', () => {
  it.each(CASES)('%s', (text, expected) => {
    expect(read(text)).toEqual(expected);
  });

  it('gives the character span of each machine', () => {
    const text = 'can my RTX 3060 12gb run it';
    const [m] = readMachines(catalog, text);
    expect(text.slice(m!.startChar, m!.endChar)).toBe('RTX 3060 12gb');
  });
});

describe('words that are no machine', () => {
  it.each([
    '24/7',
    'at least 14GB VRAM',
    'i5-13600K',
    'Qwen3.5-122B-A10B',
    'a 2x speedup',
    'I run 3090 tokens',
    'a 2',
    'Qwen3-30B-A3B',
    'GPU',
    'mac and cheese',
  ])('%s', (text) => {
    expect(read(text)).toEqual([]);
  });

  // A RAM speed is no Radeon RX 6600.
  it('DDR5-6600', () => {
    expect(read('DDR5-6600')).toEqual([]);
  });
  it('64GB DDR5-6600 RAM: a host with that RAM, no Radeon', () => {
    expect(read('64GB DDR5-6600 RAM').map((m) => m.chip)).toEqual(['cpu-ddr5']);
  });
});

describe('host RAM said with "of"', () => {
  // "64GB of RAM" next to a card is its host's RAM, not a 64 GB card.
  it('on a 3090 with 64GB of RAM', () => {
    expect(read('on a 3090 with 64GB of RAM')).toEqual(
      one('rtx-3090', 'rtx-3090-ram-64gb', null, { hostRamGB: 64, role: null }),
    );
  });
  it('a 3090 and 64GB of system RAM', () => {
    expect(read('a 3090 and 64GB of system RAM')).toEqual(
      one('rtx-3090', 'rtx-3090-ram-64gb', null, { hostRamGB: 64 }),
    );
  });
  it('3090 with 64GB RAM', () => {
    expect(read('3090 with 64GB RAM')).toEqual(one('rtx-3090', 'rtx-3090-ram-64gb', null, { hostRamGB: 64 }));
  });
});

describe('who owns which machine', () => {
  // A clause ends at punctuation: the "have" before the 3090 does not reach the 5090.
  it('I have a 3090, is a 5090 worth it', () => {
    expect(read('I have a 3090, is a 5090 worth it').map((m) => m.role)).toEqual(['current', null]);
    // Read whole, the question is an upgrade, where a machine not owned is a candidate.
    const q = readQuestion(catalog, 'I have a 3090, is a 5090 worth it').reading;
    expect([q.intent, ...q.devices.map((d) => d.role)]).toEqual(['upgrade', 'current', 'candidate']);
  });
  it('I have a 3090 and want a 5090', () => {
    expect(read('I have a 3090 and want a 5090').map((m) => m.role)).toEqual(['current', 'candidate']);
  });
  // A change already made: the card switched to is owned now, the one left behind is no longer.
  it('I switched from a 4090 to a 5090', () => {
    expect(read('I just switched from 4090 to 5090, no speed boost').map((m) => m.role)).toEqual([null, 'current']);
    expect(read('Just updated my GPU from a 2080 to a 3090').map((m) => m.role)).toEqual([null, 'current']);
    expect(
      read('only using my CPU after upgrading my GPU (I switched from an RX 7600 XT to an RTX 3080 ti)').map(
        (m) => m.role,
      ),
    ).toEqual([null, 'current']);
    // Still to be made: from is owned, to would be bought.
    expect(read('should I switch from a 3090 to a 5090').map((m) => m.role)).toEqual(['current', 'candidate']);
    expect(read('upgrade from my 3060 to a 4090').map((m) => m.role)).toEqual(['current', 'candidate']);
  });
});

describe('the machine a mention stands for', () => {
  it('is a catalog device', () => {
    for (const [text] of CASES)
      for (const m of readMachines(catalog, text)) {
        const d = deviceOfMention(catalog, m);
        expect(catalog.device(d.id)?.id, `${text}: ${d.id}`).toBe(d.id);
      }
  });
});

describe('more ways machines are said', () => {
  const brief = (text: string) => read(text).map((m) => [m.device, m.gpus, m.hostRamGB]);
  it.each([
    // A Chinese label names the value after it: 24G is the card's, 128G the RAM.
    ['4090D 24G + 内存：128G的机器', [['rtx-4090-d-ram-128gb', 1, 128]]],
    // A count after the size.
    ['vllm on a 3090(24G x 2)', [['2x-rtx-3090', 2, null]]],
    // A version number across punctuation is no count.
    ['specs like Windows 10, RTX 4060 (8GB VRAM), 32GB RAM', [['rtx-4060-ram-32gb', 1, 32]]],
    // A vendor alone with a size is a GPU of that size.
    ['out of memory with my 16gb amd', [['generic-gpu-16gb', 1, null]]],
    // A server known by its processor and RAM.
    ['a VPS server with 48GB RAM and a 12-core processor', [['cpu-ddr5-48gb', 1, 48]]],
    // "CPU only" beside a Mac says how the Mac runs it.
    ['Very slow on a CPU only use case, mac M1 on 16GB ram', [['macbook-air-m1-16gb', 1, null]]],
    // A CPU's model number is no Radeon, and "Ryzen 5" no count of five.
    ["I'm using gpt4all on a ryzen 5 6600 and 32gb of ram", [['cpu-ddr5-32gb', 1, 32]]],
    ['i5 6600 and a radeon 6600', [['rx-6600', 1, null]]],
    // The count before the vendor, before "GPU", glued to the unit, and "gpu" glued to the number.
    ['a machine equipped with two NVIDIA RTX 4090 GPUs .', [['2x-rtx-4090', 2, null]]],
    ['with 4 GPU Mi50 16GB with vllm', [['4x-mi50-16gb', 4, null]]],
    ['显卡：(NVIDIA) RTX4090 24Gx2张', [['2x-rtx-4090', 2, null]]],
    // A board known by its processor is a machine of its own, not "CPU only" beside another.
    [
      'On which will it run better, a Jetson Nano Developer Kit or a Raspberry Pi 5?',
      [
        ['jetson-nano-4gb', 1, null],
        ['raspberry-pi-5-8gb', 1, null],
      ],
    ],
    ['i5 13600k with a 3060', [['rtx-3060-12gb', 1, null]]],
    // Other boards are not a Raspberry Pi 5, nor is "pi 5 times".
    ['raspberry pi 4 8gb for qwen3 0.6b', []],
    ['orange pi 5 plus 16gb', []],
    ['pi 5 times faster than a 3090?', [['rtx-3090', 1, null]]],
    ['jetson nano super for llama', [['jetson-orin-nano-8gb', 1, null]]],
    // "total" RAM is host RAM.
    ['4090, 128GB total RAM, llama 70b', [['rtx-4090-ram-128gb', 1, 128]]],
    // The cards' sum is neither one card's memory nor host RAM.
    ['Would 6× RTX 4090 (144GB total) work?', [['6x-rtx-4090', 6, null]]],
    ['8x 3090 192GB combined', [['8x-rtx-3090', 8, null]]],
    // 内存 after a size is RAM and 显存 VRAM ("12G显存 64G内存"), unless the label names the value after it.
    ['12G显存 64G内存，能不能跑deepseek蒸馏版的qwen-32B', [['generic-gpu-12gb-ram-64gb', 1, 64]]],
    ['3090 64G内存', [['rtx-3090-ram-64gb', 1, 64]]],
    ['显卡3090 显存24G 内存64G', [['rtx-3090-ram-64gb', 1, 64]]],
    // A Windows on Arm laptop runs models on its CPU; a laptop without a dedicated GPU is a CPU host.
    ['my X1E-78-100 laptop with 32GB, can it run llama 3.1 8b', [['snapdragon-x-32gb', 1, 32]]],
    ['run the BART model on the NPU in a laptop with Snapdragon x Elite?', [['snapdragon-x-16gb', 1, null]]],
    ['can I run qwen 7b on my laptop with no dedicated GPU and 16gb ram', [['cpu-ddr5-16gb', 1, 16]]],
    // "双卡" is a pair of cards; "双路" (two sockets) counts no card.
    ['glm4v-9b怎么在双卡4090地服务器上部署', [['2x-rtx-4090', 2, null]]],
    ['双路cpu 4090', [['rtx-4090', 1, null]]],
    ['双显卡笔记本 4060', [['rtx-4060', 1, null]]],
    ['can I fine-tune my own dataset on a single 4090gpu?', [['rtx-4090', 1, null]]],
    // ... but "32GB * 2 GPU: ..." counts RAM sticks.
    ['RAM : 32GB * 2 GPU: NVIDIA RTX A5000 24GB', [['rtx-a5000-ram-64gb', 1, 64]]],
    // A total, an amount in use, what a model takes: none is a card's own size or the host's RAM.
    [
      'On an RTX 5090 + 5070 Ti (total 48 GB VRAM), it',
      [
        ['rtx-5090', 1, null],
        ['rtx-5070-ti', 1, null],
      ],
    ],
    ['GPT OSS 120b only uses 14gb of vram out of 24gb', [['generic-gpu-24gb', 1, null]]],
    ['Running on RTX 6000 (96GB), 92GB are consumed with model', [['rtx-pro-6000', 1, null]]],
    ['it takes 20gb vram on my 4090', [['rtx-4090', 1, null]]],
    // A size said a clause later is the card's when the card was sold in it; not when it is needed or RAM.
    ['My graphics card is 4060ti, can 16G run with this project', [['rtx-4060-ti-16gb', 1, null]]],
    ['my 4060 ti, needs 16GB', [['rtx-4060-ti-8gb', 1, null]]],
    // A file's size, or the next card's, is not the card's.
    ['I have a 4060 ti, will an 16gb model fit?', [['rtx-4060-ti-8gb', 1, null]]],
    ['4060 ti here, the gguf is 16gb, will it fit?', [['rtx-4060-ti-8gb', 1, null]]],
    ['I have a 5060 ti and a 8gb quant of qwen 14b', [['rtx-5060-ti-16gb', 1, null]]],
    [
      'I have a 4060 ti, considering 16gb 5060 ti',
      [
        ['rtx-4060-ti-8gb', 1, null],
        ['rtx-5060-ti-16gb', 1, null],
      ],
    ],
    // A RAM kit with its sticks glued on counts no cards; a rig's CPU before a GeForce drops nothing.
    ['RTX 4090, RAM 32GBx2, llama 70b?', [['rtx-4090-ram-64gb', 1, 64]]],
    ['4090 with 16gbx4 ram, qwen 32b', [['rtx-4090-ram-64gb', 1, 64]]],
    ['My rig: i9 4090 64gb ram, can I run llama 70b?', [['rtx-4090-ram-64gb', 1, 64]]],
    // "N GPUs" before a list counts the list; before an Apple chip it counts cores.
    [
      'I have 2 GPUs: 3090 and 4090',
      [
        ['rtx-3090', 1, null],
        ['rtx-4090', 1, null],
      ],
    ],
    [
      'with 2 GPU 4090 + 3090',
      [
        ['rtx-4090', 1, null],
        ['rtx-3090', 1, null],
      ],
    ],
    ['the 40 GPU M3 Max, llama 70b', [['macbook-pro-m3-max-36gb', 1, null]]],
    // RAM sticks with the x glued to the unit, up to a server's 16; a CPU host keeps the RAM said beside it.
    ['内存：三星服务器 RECC DDR4 32Gx16条=512G 显卡：(NVIDIA) RTX4090 24Gx2张', [['2x-rtx-4090-ram-512gb', 2, 512]]],
    [
      '电脑配置：13代i5 + 16GB 我在本地部署了deepseek:8b。推理时，吃了内存20GB，但是CPU吃不满',
      [['cpu-ddr5-16gb', 1, 16]],
    ],
  ])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
});

describe('the card a size points to', () => {
  const ids = (text: string) => read(text).map((m) => [m.device, m.gpus]);
  it.each([
    // A size the named card never had, but one card whose name holds the same words did.
    ['i have a RTX 6000 96GB and it takes 194s', [['rtx-pro-6000', 1]]],
    ['if i bought 5060 16GB', [['rtx-5060-ti-16gb', 1]]],
    // The series after the number.
    ['how can i use 16gb Vram with 5060rtx?', [['rtx-5060-ti-16gb', 1]]],
    // SLI and NVLink are two cards.
    ['1080ti sli', [['2x-gtx-1080-ti', 2]]],
    // A RAM word before a comma does not make the next clause's size RAM; its own size is the RAM.
    ['So I have 128 gig of system ram, 24 gig of vram', [['generic-gpu-24gb-ram-128gb', 1]]],
    ['the max GPU memory is 45G', [['generic-gpu-45gb', 1]]],
    // A Mac known only by a memory only one chip had.
    ['if the 256 GB of RAM on the Mac can be used', [['mac-studio-m3-ultra-256gb', 1]]],
  ])('%s', (text, expected) => {
    expect(ids(text)).toEqual(expected);
  });
});

describe('counts, sizes and CPUs said other ways', () => {
  const brief = (text: string) => read(text).map((m) => [m.device, m.gpus, m.memoryGB]);
  it.each([
    // Machines times cards per machine.
    ['用 2台 H100*8 部署 deepseek-R1', [['16x-h100-sxm', 16, null]]],
    ['微调8卡a800（80G）够吗', [['8x-a800-80gb', 8, 80]]],
    // Megabytes of video memory.
    ['a Geforce GTX 960 with 2048 MB Dedicated Video Memory', [['gtx-960-2gb', 1, 2]]],
    // One more of the same card is a second machine.
    [
      'NOW I USING 5070TI, IF I UPGRADE ADD ONE MORE 5070TI',
      [
        ['rtx-5070-ti', 1, null],
        ['rtx-5070-ti', 1, null],
      ],
    ],
    ['Jetson Orin Nano Super 8GB', [['jetson-orin-nano-8gb', 1, 8]]],
  ])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
  it.each(['My server only has CPU, but not GPU. Is GPU essential?', '有办法使用cpu跑么?'])(
    '%s: a CPU host',
    (text) => {
      expect(read(text).map((m) => m.chip)).toEqual(['cpu-ddr5']);
    },
  );
});

describe('what people call RAM, and storage that looks like a chip', () => {
  const brief = (text: string) => read(text).map((m) => [m.device, m.gpus, m.memoryGB, m.hostRamGB]);
  it.each([
    // A card's own size called RAM is its VRAM.
    ["I'm using a 4090 with 24GB of Ram and the training is slow", [['rtx-4090', 1, 24, null]]],
    // "Graphics Ram" is no host RAM.
    ['gtx 3070 : CUDA Cores=5888 , Graphics Ram= 8 GB', [['rtx-3070', 1, null, null]]],
    // Machines times cards, written after the name.
    ['not running properly on H100x8*2 devices', [['16x-h100-sxm', 16, null, null]]],
    // A count said of the size goes to the named card of that size.
    ['a Tesla V100 16GB here; is it possible with two 16GB GPUs (Total 32GB)?', [['2x-v100-16gb', 2, 16, null]]],
    // "M.2" is an SSD slot.
    ['GPU: RTX 5090 32GB, 2TB M.2 SSD', [['rtx-5090', 1, 32, null]]],
  ])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
});

describe('names inside identifiers, and one Mac said twice', () => {
  it('a chip name joined to a version string is part of it', () => {
    expect(
      read('RTX 5090 underperforming on v0.4.10.post2-cu128-b200: 25 % slower than RTX 4090').map((m) => m.chip),
    ).toEqual(['rtx-5090', 'rtx-4090']);
  });
  it('the bare generation beside its tier is the same Mac', () => {
    expect(
      read('I have an apple mac studio with m1 max chip. Can I run this on my mac studio M1?').map((m) => m.chip),
    ).toEqual(['m1-max']);
  });
});

describe('sizes that are not a machine or not its memory', () => {
  const brief = (text: string) => read(text).map((m) => [m.device, m.gpus, m.memoryGB]);
  it.each([
    // A total no single GPU has is a requirement.
    ['671b，是否只需要700G显卡就可以了呢？', []],
    // Cores are no memory.
    ['a MacBook Pro M1 with an 8-core GPU and 16 GB RAM', [['macbook-pro-m1-16gb', 1, 16]]],
    // Count and size written together.
    ['I had an 4 * V100 (4*32G) server', [['4x-v100-32gb', 4, 32]]],
    ['I have only 6gbvram on my laptop', [['generic-gpu-6gb', 1, 6]]],
    ['one jetson orin(32g)', [['jetson-agx-orin-32gb', 1, 32]]],
  ])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
});

describe('a vendor word before a model number', () => {
  it.each([
    ['does my Nvidia 3080 ti with 12gb do it', 'rtx-3080-ti'],
    ['an amd7900 on linux', 'rx-7900-xtx'],
    ['the Radeon 7900 xt in my box', 'rx-7900-xt'],
  ])('%s', (text, chip) => {
    expect(read(text).map((m) => m.chip)).toEqual([chip]);
  });
});

describe('system RAM said without a machine is a CPU host', () => {
  const brief = (text: string) => read(text).map((m) => [m.chip, m.memoryGB, m.hostRamGB]);
  it.each([
    ['Would 64 GB of RAM be enough for this?', [['cpu-ddr5', 64, 64]]],
    ['the box has 24GB of physical memory and no card', [['cpu-ddr5', 24, 24]]],
    ['My laptop has 8Go, not more', [['cpu-ddr5', 8, 8]]],
    // A size the text asks for is no machine.
    ['It needs 96GB of RAM to load', []],
    ['Is 128GB RAM required for the big one?', []],
    ['so 2 x 40 = 80 GB of RAM', []],
  ])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
});

describe('host RAM said other ways', () => {
  const brief = (text: string) => read(text).map((m) => [m.chip, m.memoryGB, m.hostRamGB]);
  it.each([
    // The GPU memory glued to "VRAM", the RAM beside it.
    ['a desktop with 32GB RAM and 12VRAM', [['generic-gpu', 12, 32]]],
    // RAM said in the clause before the card's size.
    ['there is 256 gig of system ram; 48 gig of vram', [['generic-gpu', 48, 256]]],
    ['a 4070 plus 96GB of host RAM', [['rtx-4070', null, 96]]],
    // Sticks: one stick's size times the sticks.
    ['Memory: 16GB x 4, GPU: RTX 3080 10GB', [['rtx-3080', 10, 64]]],
    ['a 3090 with 4x16GB DDR4', [['rtx-3090', null, 64]]],
    // "bg" is GB typed with two letters swapped.
    ['running 32bg ram and a 3060', [['rtx-3060', null, 32]]],
  ])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
});

describe('counts said around a size', () => {
  const brief = (text: string) => read(text).map((m) => [m.chip, m.gpus, m.memoryGB]);
  it.each([
    // The count before the size before the card.
    ['we rent three 48gb A6000s', [['rtx-a6000', 3, 48]]],
    ['would 4 x 80GB H100 do', [['h100-sxm', 4, 80]]],
    ['两张24G的3090', [['rtx-3090', 2, 24]]],
    // A count times a size with no card named: that many cards of that size.
    ['it still does not fit in 2x48 GB', [['generic-gpu', 2, 48]]],
    // ... but not RAM sticks, nor a size asked for.
    ['a desktop with 4x32GB DDR5', [['cpu-ddr5', 1, 128]]],
    ['this needs at least 8 x 80GB', []],
    // The same card listed again right after itself is one more of it.
    ['my rig: a 3080 10GB, a 3080 10GB', [['rtx-3080', 2, 10]]],
    ['one A4000 and one A4000', [['rtx-a4000', 2, null]]],
    // ... not when it is weighed against another.
    [
      'my 3090, a 3090 or a 4090?',
      [
        ['rtx-3090', 1, null],
        ['rtx-4090', 1, null],
      ],
    ],
  ])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
});

describe('a size belongs to the card it is said with', () => {
  const brief = (text: string) => read(text).map((m) => [m.chip, m.memoryGB]);
  it.each([
    [
      'my 2060 and a 4080 16GB',
      [
        ['rtx-2060', null],
        ['rtx-4080', 16],
      ],
    ],
    [
      'my 2060 and a 16GB 4080',
      [
        ['rtx-2060', null],
        ['rtx-4080', 16],
      ],
    ],
  ])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
});

describe('a Mac sized by its RAM, and a GPU of another vendor', () => {
  const brief = (text: string) => read(text).map((m) => [m.chip, m.memoryGB, m.hostRamGB]);
  it.each([
    // The RAM said before a Mac is the Mac's memory, not a named card's host RAM.
    [
      'is a 48GB RAM MacBook better than my 3090?',
      [
        ['generic-mac', 48, null],
        ['rtx-3090', null, null],
      ],
    ],
    // A sized GPU named by a vendor none of the named cards is from is a machine of its own.
    [
      'my 20gb radeon runs out of memory, yet a friend runs it on a 4070',
      [
        ['generic-gpu', 20, null],
        ['rtx-4070', null, null],
      ],
    ],
    // Of the same vendor, the size is the named card's.
    ['my 16gb nvidia card, a 4060 Ti', [['rtx-4060-ti', 16, null]]],
  ])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
});

describe('Apple chips said with a tier or memory they never had', () => {
  const brief = (text: string) => read(text).map((m) => [m.chip, m.memoryGB]);
  it.each([
    // A tier word no chip of that generation took does not stop its memory being read; the memory decides the chip.
    ['thinking of an M4 Ultra 128GB', [['m4-max', 128]]],
    // A bare generation with a memory only its higher tiers had, more than one of them: a Mac of that memory.
    ['an M4 with 48GB', [['generic-mac', 48]]],
    // A named tier keeps its chip.
    ['M2 Max 24GB', [['m2-max', 24]]],
  ])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
});

describe('a machine named only as a yardstick, beside the asker’s own', () => {
  const chips = (text: string) => read(text).map((m) => [m.chip, m.gpus]);
  it.each([
    // A bound on the card asked about: the card is the machine, the bound is not.
    ['would a card weaker than an RTX 4090, say a 3060, manage it?', [['rtx-3060', 1]]],
    ['any GPU under an A100 (an L4 maybe) for this?', [['l4', 1]]],
    // A figure someone else measured on another machine.
    ['my 7900 XTX does 30 tok/s; H100 numbers show 90 tok/s', [['rx-7900-xtx', 1]]],
    // A scale, not a machine.
    [
      'pairing my 3090 with a 3060 would be like having a 5090',
      [
        ['rtx-3090', 1],
        ['rtx-3060', 1],
      ],
    ],
    [
      'a 4090 costs as much as 3 used 3090s; I own a 3060',
      [
        ['rtx-4090', 1],
        ['rtx-3060', 1],
      ],
    ],
    // The same card in another number, as a document or the task asks for it.
    ['I run it on 1 A100, but the README says minimum 4x A100', [['a100', 1]]],
  ])('%s', (text, expected) => {
    expect(chips(text)).toEqual(expected);
  });

  it.each([
    // Two machines weighed against each other stay two.
    [
      'is a 5090 faster than a 4090?',
      [
        ['rtx-5090', 1],
        ['rtx-4090', 1],
      ],
    ],
    // A yardstick alone is still the machine the question is about.
    ['is there any card better than a 4090 for this?', [['rtx-4090', 1]]],
    // A requirement said without another of the same card is the machine considered.
    [
      'I have a 3060; would I need at least a 4090?',
      [
        ['rtx-3060', 1],
        ['rtx-4090', 1],
      ],
    ],
  ])('keeps %s', (text, expected) => {
    expect(chips(text)).toEqual(expected);
  });
});

describe('lists, parts, sums and questions of size', () => {
  const brief = (text: string) => read(text).map((m) => [m.chip, m.memoryGB, m.gpus]);
  it.each([
    // Names joined by a slash are a list; joined by a dash they stay a range or an identifier.
    [
      'will 12GB be too little for a 3060/4070?',
      [
        ['rtx-3060', null, 1],
        ['rtx-4070', null, 1],
      ],
    ],
    // A number joined to a size by a slash is a part of a whole, not a count of cards.
    ['training shows 18/48GB of GPU in use on my A6000', [['rtx-a6000', null, 1]]],
    // A size that is the result of a sum, or asked about, is no machine.
    ['so 13 x 2 x 4 = 104 GB of VRAM?', []],
    ['is 40GB of VRAM sufficient for the 70B?', []],
    ['how much memory (256GB or 512GB) should the box have?', []],
    // "显存" is VRAM: a size said with it is a GPU; "的内存" is RAM.
    ['我的40G显存不够', [['generic-gpu', 40, 1]]],
    ['64G的内存能跑吗', [['cpu-ddr5', 64, 1]]],
    ['单卡24G显存的3090', [['rtx-3090', 24, 1]]],
    // A sized GPU described beside a named card of another size is another card.
    [
      'my 12gb geforce is too small, so I ordered a 4090',
      [
        ['generic-gpu', 12, 1],
        ['rtx-4090', null, 1],
      ],
    ],
    // ... but the total of the named cards stays theirs (24 GB each).
    ['two 3090s, the 48GB of VRAM is not enough', [['rtx-3090', 24, 2]]],
    // A little under the card's size is what the driver shows.
    ['an L40S, 44.5GB visible', [['l40s', 48, 1]]],
    // A hedge does not stop the size.
    ['an M3 Max (probably 96GB)', [['m3-max', 96, 1]]],
  ])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });

  it('a data rate after a RAM kit is no Radeon', () => {
    expect(brief('RAM: 64GB (32GBx2) 6000 CL30, GPU: RTX 4080')).toEqual([['rtx-4080', null, 1]]);
    expect(read('RAM: 64GB (32GBx2) 6000 CL30, GPU: RTX 4080')[0]!.hostRamGB).toBe(64);
  });

  it('"just" one card and a "2nd" card are counted apart from a pair', () => {
    expect(brief('is 2x 3080 any faster than just 3080?')).toEqual([
      ['rtx-3080', null, 2],
      ['rtx-3080', null, 1],
    ]);
    expect(brief('my 4070 Ti, and I may get a 2nd 4070 Ti')).toEqual([
      ['rtx-4070-ti', null, 1],
      ['rtx-4070-ti', null, 1],
    ]);
  });
});

describe('counts of whole machines, and names said other ways', () => {
  const brief = (text: string) => read(text).map((m) => [m.chip, m.memoryGB, m.gpus]);
  it.each([
    // A count before the form word counts whole Macs; a plural form word takes a count too.
    ['we could buy three Mac Studio M2 Ultra 192GB', [['m2-ultra', 192, 3]]],
    ['linking 5 Mac minis with exo', [['generic-mac', null, 5]]],
    [
      'two DGX Sparks or one RTX PRO 6000?',
      [
        ['gb10', null, 2],
        ['rtx-pro-6000', null, 1],
      ],
    ],
    // The tier said before the generation.
    ['a MacBook Pro Max M4 with 48GB', [['m4-max', 48, 1]]],
    // What people call the RTX 6000 Ada and the Maxwell Titan X.
    ['would an A6000 Ada help?', [['rtx-6000-ada', null, 1]]],
    ['my old TitanX', [['gtx-titan-x', null, 1]]],
  ])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
});

describe('machines real questions named (a blind set, read after it was measured)', () => {
  const brief = (text: string) => read(text).map((m) => [m.chip, m.gpus, m.memoryGB, m.hostRamGB]);
  it.each([
    // The count before the architecture's name; the system RAM after "GPUs" is the host's.
    ['My machine has two NVIDIA Blackwell 6000 Pro GPUs and 256GB of System RAM.', [['rtx-pro-6000', 2, null, 256]]],
    // "RAM is only 370G" in Chinese, across a clause break from the card's own size.
    ['是否能用8*2080ti 22g直接运行，内存只有370G', [['rtx-2080-ti', 8, 22, 370]]],
  ] as [string, unknown[]][])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
  it('people call VRAM RAM: "my card has 12GB of RAM" is the card\'s, and not also host RAM', () => {
    expect(read('My card has 12GB of RAM').map((m) => [m.chip, m.memoryGB, m.hostRamGB])).toEqual([
      ['generic-gpu', 12, null],
    ]);
  });
  it("a decimal comma joins one or two digits; a card's model number before a comma stays a name", () => {
    expect(brief('my specs: RTX 3070,8GB VRAM, 32GB RAM. can I run llama 3 70b?')).toEqual([['rtx-3070', 1, 8, 32]]);
    expect(brief('显卡3060，8G显存，能跑qwen2.5 72b吗')).toEqual([['rtx-3060', 1, 8, null]]);
  });
  it('RAM said with "gigabytes", "of normal ram", or beyond any card of the name is host RAM', () => {
    expect(brief('There are two AMD MI50 16G, in the server with 96 gigabytes of memory')).toEqual([
      ['mi50', 2, 16, 96],
    ]);
    expect(brief('nvidia 1070gtx with 8vram and i have 16gb of tipical ram')).toEqual([['gtx-1070', 1, 8, 16]]);
    expect(brief('a 3060 and 32gb of normal ram')).toEqual([['rtx-3060', 1, null, 32]]);
    expect(brief('can my 4090 and 64gb run llama 70b')).toEqual([['rtx-4090', 1, null, 64]]);
    expect(brief('Should i be able to run it with 3 x RTX 3090 (72GB vram)?')).toEqual([['rtx-3090', 3, 24, null]]);
  });
  it("a size after 'and' or a comma that no card of the name was sold with is the PC's RAM; said as VRAM, modded, a known mod or right after the name, the card's", () => {
    expect(brief('my 5090 and 64gb, can I run llama 3.3 70b?')).toEqual([['rtx-5090', 1, null, 64]]);
    expect(brief('rig: 5090, 64gb, 9950x. llama 70b?')).toEqual([['rtx-5090', 1, null, 64]]);
    expect(brief('I have a 4080 and 32gb, can I run qwen3 32b?')).toEqual([['rtx-4080', 1, null, 32]]);
    expect(brief('My laptop has a 4090 and 32gb, can I run qwen3 32b?')).toEqual([['rtx-4090-laptop', 1, null, 32]]);
    // ... and never a 16 GB 3080 Laptop.
    expect(brief('I have a 3080 and 16gb, can I run qwen3 14b')).toEqual([['rtx-3080', 1, null, 16]]);
    expect(brief('my 3060 has 32GB of VRAM, can it run qwen3 32b?')).toEqual([['rtx-3060', 1, 32, null]]);
    expect(brief('我有一张4090 96G魔改版，能跑deepseek r1 70b吗')).toEqual([['rtx-4090', 1, 96, null]]);
    expect(brief('3060M 12GB llama 8b')).toEqual([['rtx-3060-laptop', 1, 12, null]]);
  });
  it('a GPU of unsaid memory beside plain RAM after "and" is asked for its memory', () => {
    expect(ask(catalog, 'I have a GPU and 32GB RAM. Can I run qwen3 14b?').clarify?.question).toMatch(
      /How much memory does the GPU have/,
    );
    expect(brief('a GPU with 12GB RAM, can it run qwen3 14b')).toEqual([['generic-gpu', 1, 12, null]]);
  });
  it('a GPU of unsaid memory beside the host RAM is a GPU whose memory is asked, not a CPU host', () => {
    expect(brief('a GPU and 64GB DDR4, llama 70b')).toEqual([['generic-gpu', 1, null, 64]]);
    const a = ask(catalog, 'a GPU and 64GB DDR4, can it run llama 70b');
    expect(a.clarify?.question).toMatch(/How much memory does the GPU have/);
    expect(a.clarify?.choices[0]?.text).toBe('a GPU 8GB and 64GB DDR4, can it run llama 70b');
  });
});

describe('machines of the eighth held-out set (read after it was measured)', () => {
  const brief = (text: string) => read(text).map((m) => [m.chip, m.gpus, m.memoryGB]);
  it.each([
    // The H800, the H100 sold in China, is a machine of its own.
    ['8块H800也要跑接近30秒', [['h800', 8, null]]],
    // "RTX 6000 Blackwell" is the RTX PRO 6000, not the Turing Quadro RTX 6000.
    ['Kimi-K2-Thinking on Xeon 6960P + RTX 6000 Blackwell?', [['rtx-pro-6000', 1, null]]],
    ['RTX 6000 Ada', [['rtx-6000-ada', 1, null]]],
    // "Jetson Orin Super 8G" is the Orin Nano Super, not a 64 GB AGX Orin.
    ['Is it faster to use Jetson Orin Super 8G for inference', [['jetson-orin-nano', 1, 8]]],
    // A modded card's size, said after 魔改 ("modded").
    ['单卡2080ti 魔改22G的效果怎么样？', [['rtx-2080-ti', 1, 22]]],
    // "gigabytes" and "of normal RAM" are the host's RAM.
    ['There are two AMD MI50 16G, in the server with 96 gigabytes of memory', [['mi50', 2, 16]]],
    // More than twice what the card was sold with is the PC's RAM; a modded card's double is the card's.
    ['can my 4090 and 64gb run llama 70b', [['rtx-4090', 1, null]]],
    ['my 4090 48gb', [['rtx-4090', 1, 48]]],
    // nvidia-smi's "GPU 7:" is an index, not seven cards; a pasted listing counts its cards (indices run
    // from 0, so "GPU 0: ... GPU 7:" with the lines between left out is eight).
    ['GPU 7: NVIDIA A800-SXM4-80GB', [['a800', 1, 80]]],
    ['GPU 0: NVIDIA A800-SXM4-80GB ... GPU 7: NVIDIA A800-SXM4-80GB', [['a800', 8, 80]]],
    [
      'GPU 0: NVIDIA GeForce RTX 3090 (UUID: x)\nGPU 1: NVIDIA GeForce RTX 3090 (UUID: y)\nGPU 2: NVIDIA GeForce RTX 3090',
      [['rtx-3090', 3, null]],
    ],
    ['My system have 2 "GTX 1080 (8 GB)"', [['gtx-1080', 2, 8]]],
    // "each 22g" said after a count of cards is each card's memory.
    [
      '在8卡4090,每张48g显存上比4卡2080ti，每张22g推理更慢',
      [
        ['rtx-4090', 8, 48],
        ['rtx-2080-ti', 4, 22],
      ],
    ],
  ] as [string, unknown[]][])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
});

describe('a size between two cards', () => {
  const brief = (text: string) => read(text).map((m) => [m.chip, m.memoryGB]);
  it.each([
    // Across a mark or a conjunction, the size is the card's before it.
    [
      'I happen to have both RTX3080 (10GB) & 3090.',
      [
        ['rtx-3080', 10],
        ['rtx-3090', null],
      ],
    ],
    // Right before a card, it is that card's.
    [
      'a 3080 and a 24GB 3090',
      [
        ['rtx-3080', null],
        ['rtx-3090', 24],
      ],
    ],
  ] as [string, unknown[]][])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
  it('what a card loaded is no size of it', () => {
    expect(brief('System: U265K+48G ddr5 +B580 ... igpu loaded 4g, B580 loaded 3.2g')).toEqual([['arc-b580', null]]);
  });
});

describe('machines of the eleventh session', () => {
  const brief = (text: string) => read(text).map((m) => [m.chip, m.memoryGB, m.gpus, m.hostRamGB]);
  it.each([
    // RDNA 1 cards by their names; a price or a context length is no card.
    ['5700 xt for llama 3 8b', [['rx-5700-xt', null, 1, null]]],
    ['my RX 5600 XT 6GB', [['rx-5600-xt', 6, 1, null]]],
    ['$5700 budget for a 70b rig', []],
    ['5700 usd for a rig', []],
    // A cloud host counted in vCPUs is a CPU host; its RAM is the size called RAM, never the disk's.
    ['a server with 8 vCPUs and 32GB', [['cpu-ddr5', 32, 1, 32]]],
    ['a VPS with 4 vCPU, 80 GB SSD, 8 GB RAM', [['cpu-ddr5', 8, 1, 8]]],
    ['8 vCPUs, 200 GB disk', [['cpu-ddr5', null, 1, null]]],
    // A count after the card's size, the sign apart.
    ['My 4090 24GB * 2, can it run 70b', [['rtx-4090', 24, 2, null]]],
    // "Orion" is NVIDIA's Orin beside a Jetson word.
    ['Jetson AGX Orion 64GB', [['jetson-agx-orin', 64, 1, null]]],
    // A size before the form word before the chip is the Mac's.
    ['I have a 32GB Mac M4', [['m4', 32, 1, null]]],
    // Memory in use or swapped is no host RAM.
    ['3090, memory in use 30GB', [['rtx-3090', null, 1, null]]],
    // A size, 的, a GPU word: a card of that size.
    ['我只有一张48G的显卡', [['generic-gpu', 48, 1, null]]],
    // A kit's data rate between the RAM word and the size.
    ['内存：DDR5-5600 32G × 8 显卡：NVIDIA GeForce RTX 3090 24G × 2', [['rtx-3090', 24, 2, 256]]],
    // A count and its classifier, then the size without its unit.
    ['单机三张24 3090可以吗', [['rtx-3090', null, 3, null]]],
    // 双卡 (two cards) after the card.
    ['2080ti 双卡', [['rtx-2080-ti', null, 2, null]]],
    // A RAM size said without its unit.
    ['I have a RTX 2060 Super 8GB and 16 RAM', [['rtx-2060-super', 8, 1, 16]]],
    // The sticks counted after the kit's type and data rate.
    ['RTX 3060 12G OC, Netac Shadow 16GB DDR4 3200MHz (x2)', [['rtx-3060', 12, 1, 32]]],
    // (A card's count after a comma is no stick count.)
    ['64GB DDR5 6000, 4090 x 2, can I run llama 70b?', [['rtx-4090', null, 2, 64]]],
    // A model's size is no CPU host's RAM; slots and channels are no RAM size.
    ['I have a Ryzen 9 5900X CPU. Can I run a 70B model that is 40GB?', [['cpu-ddr5', null, 1, null]]],
    ['I have a 4090 with 16 RAM slots free and 128GB RAM', [['rtx-4090', null, 1, 128]]],
    ['RTX 3090 and a motherboard with 8 RAM slots', [['rtx-3090', null, 1, null]]],
    // A size required (需要) is no card one has.
    ['需要16G的显卡吗', []],
    // A price in euros after the card keeps the card.
    [
      '4090 or 5090 EUR prices?',
      [
        ['rtx-4090', null, 1, null],
        ['rtx-5090', null, 1, null],
      ],
    ],
    // Cards per machine, times the machines; a count without "each" is the whole cluster's.
    ['I have 2 nodes with 8x H100 each', [['h100-sxm', null, 16, null]]],
    ['两台机器，每台8张H100', [['h100-sxm', null, 16, null]]],
    ['I have 3 servers and 4 3090s', [['rtx-3090', null, 4, null]]],
    // A Ryzen named by its model number alone is a CPU host; the one size said of it is its RAM ...
    ['Ryzen 5900X vs 7950X: both machines had 128GB at 3600 MT/s, DDR5', [['cpu-ddr5', 128, 1, 128]]],
    // ... never a model file's.
    ['a VPS with 4 vCPU and a 40GB model', [['cpu-ddr5', null, 1, null]]],
  ] as [string, unknown[]][])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
});

describe('a machine one does not have', () => {
  it('is named, but not owned', () => {
    expect(read("I don't have an A100, can my 4090 do it").map((m) => [m.chip, m.role])).toEqual([
      ['a100', null],
      ['rtx-4090', 'current'],
    ]);
    expect(read('我没有A100训练卡').map((m) => [m.chip, m.role])).toEqual([['a100', null]]);
  });
});

describe('machines of the twelfth session', () => {
  const brief = (text: string) => read(text).map((m) => [m.chip, m.memoryGB, m.gpus]);
  it.each([
    // A count after the card and its memory.
    ['有人试过2080ti 22g 双卡的速度吗？', [['rtx-2080-ti', 22, 2]]],
    ['3090 24GB 2 cards', [['rtx-3090', 24, 2]]],
    ['4090 24g 4张', [['rtx-4090', 24, 4]]],
    // Where mods are asked about, a modded card's size is each card's; a sum said as one stays a sum.
    ['我是两张2080ti 22GB的gpu总计44GB', [['rtx-2080-ti', 22, 2]]],
    ['2x modded 2080 Ti 22GB', [['rtx-2080-ti', 22, 2]]],
    ['2x 4090 48GB', [['rtx-4090', 24, 2]]],
    ['2x 2080 Ti (22GB total)', [['rtx-2080-ti', 11, 2]]],
    // Without a count after the size, a mod said by the card, or a total that is the size times the
    // count, the size stays the cards' sum, in Chinese too.
    ['2x 2080ti 22g', [['rtx-2080-ti', 11, 2]]],
    ['两块4090一共48G显存', [['rtx-4090', 24, 2]]],
    ['双卡4090 总显存48G 能跑70b吗', [['rtx-4090', 24, 2]]],
    ['I modified the config. 2x 4090 48GB VRAM', [['rtx-4090', 24, 2]]],
    ['2x modded 2080ti 22GB, 44GB total VRAM', [['rtx-2080-ti', 22, 2]]],
    ['2x 魔改 2080ti 22g', [['rtx-2080-ti', 22, 2]]],
    // 改 alone is any change (修改了配置, "changed the config"), no mod.
    ['我修改了配置 2x 4090 48G', [['rtx-4090', 24, 2]]],
    // A count right after one card's size is that card's, not the next card's.
    [
      '3090 24g 2张 4090 24g',
      [
        ['rtx-3090', 24, 2],
        ['rtx-4090', 24, 1],
      ],
    ],
  ])('%s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
});

describe('cards counted from how they are listed', () => {
  const brief = (text: string) => read(text).map((m) => [m.chip, m.gpus]);
  it('a Ti in the plural after its model number: "2 2080tis", "two 3090 Tis"', () => {
    expect(brief('I have 2 2080tis installed and the program only uses one')).toEqual([['rtx-2080-ti', 2]]);
    expect(brief('two 3090 Tis on one board')).toEqual([['rtx-3090-ti', 2]]);
    expect(brief('this is a 3090')).toEqual([['rtx-3090', 1]]);
  });
  it('the rows of a pasted nvidia-smi table, one card per index', () => {
    const smi =
      '单机两卡加载13B模型 ... |   0  NVIDIA GeForce RTX 4090        Off | 00000000:01:00.0 Off |                  Off | ... |   1  NVIDIA GeForce RTX 4090        Off | 00000000:03:00.0 Off |';
    expect(brief(smi)).toEqual([['rtx-4090', 2]]);
    // One row is one card, whatever its index.
    expect(brief('|   7  NVIDIA A100-SXM4-80GB        On |')).toEqual([['a100', 1]]);
  });
});

describe("a laptop's screen size", () => {
  const brief = (text: string) => read(text).map((m) => [m.chip, m.memoryGB, m.gpus]);
  it.each([
    ['MacBook Pro 16 M1 Pro (base model)', [['m1-pro', null, 1]]],
    ["I would try to run it on my 16'' MBP (M1 Pro, base model)", [['m1-pro', null, 1]]],
    ['MacBook Pro 14 M3 Max', [['m3-max', null, 1]]],
    ['MacBook Pro 16" M2 Max 32GB', [['m2-max', 32, 1]]],
    ['a 24 inch iMac M3', [['m3', null, 1]]],
    ['MacBook Pro 2021 16 M1 Max 64GB', [['m1-max', 64, 1]]],
    // No MacBook Air is 16 inches: the number is the memory, and never a count.
    ['MacBook Air 16 M3', [['m3', 16, 1]]],
    ['MacBook Air 16 gigs M2', [['m2', 16, 1]]],
    // A size in GB after the form word is the memory.
    ['MacBook Pro 16 GB M1', [['m1', 16, 1]]],
  ])('is no count and no memory: %s', (text, expected) => {
    expect(brief(text)).toEqual(expected);
  });
});

describe('machines said with what is not theirs (held-out set 12)', () => {
  const said = (text: string) => readMachines(catalog, text).map((m) => [m.chip.id, m.memoryGB, m.gpus]);

  it('a size in tenths is memory in use, not the card\'s: "a rtx 2070 and I was using about 5.3 gb of vram"', () => {
    expect(said('on a rtx 2070 and I was using about 5.3 gb of vram')).toEqual([['rtx-2070', null, 1]]);
    expect(said('a rtx 2070 5.3 gb')).toEqual([['rtx-2070', null, 1]]);
    expect(said('a rtx 3060 12gb')).toEqual([['rtx-3060', 12, 1]]);
  });

  it("a laptop's model number is no count: Surface Laptop 7, Vivobook S 15", () => {
    expect(said('Microsoft Surface Laptop 7 (X ELITE): does not work')).toEqual([['snapdragon-x', null, 1]]);
    expect(said('Asus Vivobook S 15 (X ELITE): only works with 3b models')).toEqual([['snapdragon-x', null, 1]]);
    expect(said('I have 2 3090s')).toEqual([['rtx-3090', null, 2]]);
  });

  it('a data-centre card said bare and then with its form is one card, of that form', () => {
    expect(said('too slow on H100. I run the script on H100 PCIe 80GB')).toEqual([['h100-pcie', 80, 1]]);
    // Two forms set against each other stay two.
    expect(said('H100 SXM vs H100 PCIe').map(([id]) => id)).toEqual(['h100-sxm', 'h100-pcie']);
    // A consumer card and its Ti are two cards.
    expect(said('my 3090 or a 3090 Ti').map(([id]) => id)).toEqual(['rtx-3090', 'rtx-3090-ti']);
  });

  it('MBA beside an Apple chip is a MacBook Air; alone it may be a degree', () => {
    expect(said('Too slow on m2 MBA 16gb SSD 512GB')).toEqual([['m2', 16, 1]]);
    expect(said('I have an MBA and a 4090')).toEqual([['rtx-4090', null, 1]]);
  });
});
