import { describe, expect, it } from 'vitest';
import { kTokens, PRIORITY_WORDS, WORKFLOW_WORDS } from '../../../src/core/query/phrases.js';
import { understand } from '../../../src/core/query/understand.js';
import { catalog } from '../../helpers/catalog.js';

/** The first entry of an ordered table that a text says, as the understand rules take them. */
const firstOf = <T>(table: [RegExp, T][], text: string): T | null => table.find(([re]) => re.test(text))?.[1] ?? null;
const workflow = (text: string) => firstOf(WORKFLOW_WORDS, text);
const priority = (text: string) => firstOf(PRIORITY_WORDS, text);

describe('the workflow a question says', () => {
  it.each([
    // Training from scratch is training, even beside fine-tuning.
    ['should I pretrain from scratch or just finetune a small model', 'training'],
    ['我想从头训练一个小模型，或者微调', 'training'],
    ['can I retrain it on a laptop GPU', 'training'],
    // Unsloth the trainer is fine-tuning; Unsloth the publisher of model files is not.
    ['does unsloth run on a 3060 for qlora', 'fine-tune'],
    ['pulled unsloth/Gemma-3-12B-GGUF and it is slow', null],
    ['why is the Unsloth version bigger than the other one', null],
    ['how many regularization images fit in 12 GB', 'fine-tune'],
    // Many users or requests at once are serving.
    ['can one box answer a large number of users', 'serving'],
    ['put two instances behind a load balancer', 'serving'],
    ['handling parallel requests from my team', 'serving'],
    ['two models simultaneously on one card', 'serving'],
    ['speed up prompt processing with batching', 'serving'],
    // ... GPUs working at once, or a training batch size, are not.
    ['do both GPUs work simultaneously on one prompt', null],
    ['OOM even with batch size 1', null],
    // "ollama serve" starts Ollama for one user; serving many is said otherwise.
    ['set OLLAMA_KV_CACHE_TYPE=q8_0 && ollama serve', null],
    ['serving gemma 3 27b to my team', 'serving'],
    // A runtime's name, or its command that starts a server, is no serving by itself.
    ['vllm serve Qwen/Qwen3-32B --max-model-len 32768 on a 4090', null],
    ['how many A800 to deploy DeepSeek-V3 with vllm?', null],
    ['Tensorrt llm support in Jetson Orin Nano', null],
    // Server slots, a request rate, many connections and a live or loaded server are serving ...
    ['llama-server -m qwen3-32b.gguf -np 4 -c 32768 on a 3090', 'serving'],
    ['started it with --parallel 8, is 24GB enough', 'serving'],
    ['how many parallel slots fit on a 4090', 'serving'],
    ['which GPU handles multiple real-time connections best', 'serving'],
    ['we need 20 requests per second', 'serving'],
    ['run the model in a live server', 'serving'],
    ['a high-load text analysis backend on 4 R9700', 'serving'],
    ['`Avg prompt throughput: 102.2 tokens/s, Avg generation throughput: 2.2 tokens/s`', 'serving'],
    // ... a slot for a card, one parallel stream or a run of requests one at a time is not.
    ['my board has two PCIe slots and 4 RAM slots', null],
    ['-np 1 on my 3060', null],
    ['I sent 30 requests one after another to my 3060', null],
    // A video model or a frame count is video, even inside an image tool.
    ['ComfyUI-LTXVideo on a 4080', 'video'],
    ['--height 704 --width 480 --num_frames 121 on a 4090: 2.5 hours', 'video'],
    // A model's past ("trained", "fine-tuned", 微调后) is not the work asked about.
    ['Which trained model to choose for GPU-12GB?', null],
    ['my fine-tuned model runs slowly on an A10', null],
    ['baichuan2-7B微调后在A10上的推理速度比3090慢一倍', null],
    ['I trained llama on my 3090, can I train a 13B?', 'training'],
    ['微调qwen需要多少显存', 'fine-tune'],
    // A container image is no picture.
    ['runs from the nvcr.io/nvidia/pytorch:24.01-py3 image on a Spark', null],
    ['the docker image does not start', null],
    ['generate images on a 3060', 'image'],
    ['a 97-frame clip takes ages', 'video'],
    ['SeedVR2 upscaling on 16 GB', 'video'],
    ['is mflux usable on a base M4', 'image'],
    // A video someone watched is no video to generate.
    ['thanks for the video! can my 3060 run llama 3 8b?', null],
    ['看了up主的视频，我的3060能跑qwen 7b吗', null],
    ['用wan生成视频需要多少显存', 'video'],
    // GRPO, DPO and RLHF tune a model that exists.
    ['How many H20 GPUs are needed to train Qwen7B with the GRPO algorithm?', 'fine-tune'],
    ['GRPO训练1.5B模型，一张A100够吗？', 'fine-tune'],
    // The code of a readme (说明里的代码) is no coding; writing code is.
    ['按照说明里的双卡的代码，成功双卡运行', null],
    ['用qwen写代码，4090够吗', 'coding'],
    ['哪个模型代码能力强，4090能跑吗', 'coding'],
    // Serving at a sentence's start (after a full stop) is serving.
    ['Budget is $5000. Serving Llama 3 70B to my team, which GPU?', 'serving'],
  ])('%s', (text, expected) => {
    expect(workflow(text)).toBe(expected);
  });
});

describe('what matters to the asker', () => {
  it.each([
    ['the cheapest box that runs it', 'budget'],
    ['GCP prices 8x 40gb A100s at 50% more than 4x 80gb', 'budget'],
    // A run that "cost 743 s" cost time.
    ['544px992px204f cost 743 s, is this test running on H100?', null],
    ['is a $1,800 card worth it over a used one', 'budget'],
    // Money said not to matter, or a budget that is no money.
    ['Price is irrelevant, which one is quicker to set up', null],
    ['the best card regardless of cost', null],
    ['it ships with a higher power budget and ECC', null],
    ['electricity at $0.25/kWh adds up', 'power'],
    ['I care about watts more than anything', 'power'],
    // Capacity, settings and efficiency in general are no electricity.
    ['does my laptop have enough power to run it', null],
    ['what is the power/thermal profile of that card', null],
    ['looking for efficient fine-tuning tricks', null],
    // Speed is said with speed words; "performance" alone says nothing about what to choose by.
    ['which card is faster for this', 'speed'],
    ['tips to squeeze out more performance', null],
  ])('%s', (text, expected) => {
    expect(priority(text)).toBe(expected);
  });
});

describe('a context said in thousands', () => {
  it.each([
    [32, 32768],
    [128, 131072],
    // A power of two said in thousands is that power of two, as model cards count it.
    [131, 131072],
    [262, 262144],
    [65, 65536],
    [1048, 1048576],
    // Round thousands stay thousands.
    [70, 70000],
    [200, 200000],
    [250, 250000],
  ])('%sk is %s tokens', (k, tokens) => {
    expect(kTokens(k)).toBe(tokens);
  });
});

describe('the context a question says', () => {
  const context = (text: string) => {
    const r = understand(catalog, text, { phrasesOnly: true });
    return r.ok ? (r.value.input.contextTokens ?? null) : null;
  };
  it.each([
    ['1M context on 8x H20', 1048576],
    ['1.5M context', 1500000],
    ['用vllm部署，开启1M上下文，至少需要多少显存', 1048576],
    ['i9-14900K and 200k context', 200000],
    // A processor's model number is no context.
    ['using the latest Intel Core Ultra 9 285K and 2x B580', null],
    ['i5 9600K with a 3060', null],
    ['a 9600k', null],
    // Millions of tokens a day are no window.
    ['1m tokens/day', null],
    // A window said with its size word, a runtime's flag, or thousands grouped by commas.
    ['Set context size to 8192', 8192],
    ['vllm serve openai/gpt-oss-120b --max-model-len 131072 --gpu-memory-utilization 0.95', 131072],
    ['llama-server -m model.gguf --ctx-size 16384', 16384],
    ['with a context length of 20,000 (20k)', 20000],
    ['context of 1,5k', 1500],
    ['when processing a large context (~16,000 tokens)', 16000],
    // A bound, and the Chinese word for the window.
    ['finetune an 8B model using the data with context_len < 50000', 50000],
    ['上下文长度为32768, 4090能跑qwen 32b吗', 32768],
    // A small number after a bound is something else ("up to 30 users").
    ['context up to 30 users', null],
    // A price in thousands is no window.
    ['a GPU costing less than $2K with at least 24gb', null],
    ['budget $1.5k for llama 2 70b', null],
    ['a budget of 1.5k for a GPU', null],
    // A small number after "context" is no window ("to 2 GPUs", "4 times larger").
    ['how do I split the context to 2 GPUs with llama 3 70b on 2x 3090?', null],
    ['the context length is 4 times larger in llama 3.1 8b', null],
  ])('%s', (text, tokens) => {
    expect(context(text)).toBe(tokens);
  });
});
