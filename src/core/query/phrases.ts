/**
 * The phrases free text is read for, each a pattern and what it sets: numbers with units (tokens a
 * day, API and electricity prices, hours, years, prompt and context lengths, image steps and
 * size), workflow and priority words, and "vs <device>". Ordered where order matters.
 */
import type { WorkflowId } from '../catalog/schema.js';
import type { Priority } from './query.js';

const NUM = String.raw`(\d+(?:[.,]\d+)?)`;
const MULT = String.raw`\s*(k|m|mm|million|thousand|b|billion)?`;

function num(s: string): number {
  return Number(s.replace(',', '.'));
}
function scale(n: number, unit: string | undefined): number {
  switch ((unit ?? '').toLowerCase()) {
    case 'k':
    case 'thousand':
      return n * 1e3;
    case 'm':
    case 'mm':
    case 'million':
      return n * 1e6;
    case 'b':
    case 'billion':
      return n * 1e9;
    default:
      return n;
  }
}

/**
 * "32k" is 32,768 tokens (windows are powers of two, as runtimes and model cards count them), and so
 * is a power of two said in thousands ("131k" is 131,072, "262K" is 262,144); "70k" or "100k" is
 * 70,000 or 100,000 (a prompt length counted in thousands).
 */
export function kTokens(k: number): number {
  if (Number.isInteger(Math.log2(k))) return Math.round(k * 1024);
  for (let m = 13; m <= 24; m++) {
    const thousands = 2 ** m / 1000;
    if (k === Math.floor(thousands) || k === Math.round(thousands)) return 2 ** m;
  }
  return Math.round(k * 1000);
}

export interface Rule {
  re: RegExp;
  apply: (m: RegExpExecArray, out: Record<string, unknown>, notes: string[]) => void;
}

/** Ordered: more specific phrases first, so "$3 per million tokens" is an API price, not a kWh price. */
export const RULES: Rule[] = [
  {
    // tokens a day: "1m tokens/day", "500k tokens a day", "2M tok per day"
    re: new RegExp(String.raw`\b${NUM}${MULT}\s*(?:tokens?|toks?)\s*(?:\/|per|a|an|each)\s*(?:day|d)\b`, 'i'),
    apply: (m, o) => (o.tokensPerDay = scale(num(m[1]!), m[2])),
  },
  {
    // a fine-tuning dataset: "a 10M-token dataset", "dataset of 50m tokens", "20M tokens of data"
    re: new RegExp(
      String.raw`\b${NUM}${MULT}[\s-]*(?:tokens?|toks?)[\s-]*(?:of\s+)?(?:data(?:set)?|corpus)\b|\b(?:data(?:set)?|corpus)\s*(?:of|:|=)?\s*${NUM}${MULT}\s*(?:tokens?|toks?)\b`,
      'i',
    ),
    apply: (m, o) => (o.datasetTokens = m[1] ? scale(num(m[1]), m[2]) : scale(num(m[3]!), m[4])),
  },
  {
    // API price: "$3/mtok", "$2.5 per million tokens", "api $3", "api price 0.6"
    re: new RegExp(
      String.raw`(?:\bapi\s*(?:price|cost|at)?\s*\$?\s*${NUM}(?:\s*(?:\/|per)\s*(?:mtoks?|million|1m|m)\b(?:\s*tokens?)?)?|\$\s*${NUM}\s*(?:\/|per)\s*(?:mtoks?|million|1m|m)\b(?:\s*tokens?)?)`,
      'i',
    ),
    apply: (m, o) => (o.apiPricePerMTok = num(m[1] ?? m[2]!)),
  },
  {
    // electricity: "$0.30/kWh", "0.3 per kwh", "30 cents", "30c/kwh", "€0.40/kWh" (a bare "83C" is a temperature)
    re: new RegExp(
      String.raw`(?:[$€£]\s*${NUM}\s*(?:\/|per|a)?\s*kwh\b|\b${NUM}\s*(?:\/|per|a)?\s*kwh\b|\b${NUM}\s*(?:cents?|¢)(?:\s*(?:\/|per|a)\s*kwh)?\b|\b${NUM}\s*c\s*(?:\/|per|a)\s*kwh\b)`,
      'i',
    ),
    apply: (m, o, notes) => {
      const cents = m[3] ?? m[4];
      if (cents !== undefined) {
        o.kwhPrice = num(cents) / 100;
        notes.push(`read "${m[0].trim()}" as $${(num(cents) / 100).toFixed(2)}/kWh`);
      } else {
        o.kwhPrice = num(m[1] ?? m[2]!);
        // Figures are in US dollars; say so rather than convert at a rate nobody asked for.
        if (/[€£]/.test(m[0]))
          notes.push(`read "${m[0].trim()}" as $${num(m[1] ?? m[2]!).toFixed(2)}/kWh: every figure is in US dollars`);
      }
    },
  },
  {
    // hours: "8h/day", "8 hours a day", "8 hrs", "24/7"
    re: new RegExp(String.raw`\b${NUM}\s*(?:h|hr|hrs|hours?)\b(?:\s*(?:\/|per|a|each)\s*day)?|\b24\s*\/\s*7\b`, 'i'),
    apply: (m, o) => (o.hoursPerDay = m[1] !== undefined ? num(m[1]) : 24),
  },
  {
    // years: "3 years", "over 5 yrs", "2y"
    re: new RegExp(String.raw`\b${NUM}\s*(?:y|yr|yrs|years?)\b`, 'i'),
    apply: (m, o) => (o.years = num(m[1]!)),
  },
  {
    // prompt length: "20k token prompt", "prompt 8000"
    re: new RegExp(String.raw`\bprompts?\s*(?:of)?\s*${NUM}\s*(k)?\b`, 'i'),
    apply: (m, o) => (o.promptTokens = m[2] ? kTokens(num(m[1]!)) : Math.round(num(m[1]!))),
  },
  {
    // context in millions, said as one: "1M context", "开启1M上下文" (1,048,576 tokens, as model cards count "1M").
    re: /(?<![-\w.])(\d{1,2}(?:\.\d+)?)\s*m\s*(?:tokens?\s*)?(?:ctx|context|window|上下文)/i,
    // "1M", "2M" are powers of two as model cards count them (1,048,576); "1.5M" and "10M" are millions.
    apply: (m, o) => {
      const n = num(m[1]!);
      o.contextTokens = Number.isInteger(Math.log2(n)) ? n * 2 ** 20 : Math.round(n * 1e6);
    },
  },
  {
    // context: "32k", "128k tokens", "ctx 32k", "context 65536", "32k context"; not "i5-13600K",
    // "i5 9600K" or "Core Ultra 9 285K" (processors), nor a bare "9600k" (no window is millions of tokens).
    re: new RegExp(
      String.raw`(?:\b(?:ctx|context|window)(?:[\s_-]*(?:size|length|len|window))?|上下文(?:长度|窗口)?|--?(?:max[-_]model[-_]len|ctx[-_]size|context[-_]length|max[-_]seq[-_]len(?:gth)?)|\bn(?:um)?_ctx)\s*(?:of|=|:|to|is|about|around|up\s+to|under|<=?|≤|为|是)?\s*\(?[~≈]?\s*(?!\d{1,2}(?![\d.,]|\s*k))(\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:[.,]\d+)?)\s*(k)?\b(?:\s*tokens?)?|(?<![-\w$€£¥])(?<!\d[.,])(?<!\b(?:budget|spend|spending|cost|costs|price|priced|pay|paid)\s+(?:of\s+|is\s+|around\s+|about\s+|under\s+){0,2})(?<!\b(?:ultra\s{0,2}[3579]|i[3579])\s{1,3})(\d{1,4}(?:[.,]\d+)?)\s*k\b(?:\s*(?:tokens?|ctx|context))?`,
      'i',
    ),
    // "context size to 8192", "--max-model-len 131072", "a context length of 20,000" (a comma before
    // three digits groups thousands); "less than $2K" is a price.
    apply: (m, o) => {
      if (m[1] !== undefined) {
        const n = /,\d{3}$/.test(m[1]) ? Number(m[1].replace(/,/g, '')) : num(m[1]);
        if (!m[2] && n < 256) return;
        o.contextTokens = m[2] ? kTokens(n) : Math.round(n);
      } else if (num(m[3]!) <= 2048) o.contextTokens = kTokens(num(m[3]!));
    },
  },
  {
    re: /\b(\d{2,4})\s*(?:steps?)\b/i,
    apply: (m, o) => (o.imageSteps = Number(m[1])),
  },
  {
    re: /\b(\d{3,4})\s*(?:px|x\s*\d{3,4})\b/i,
    apply: (m, o) => (o.imageResolution = Number(m[1])),
  },
];

/**
 * Ordered: training words first (fine-tuning SDXL is fine-tuning, not image generation), then video
 * before image ("image-to-video" is video), and "video card" / "video memory" are hardware, not video.
 * CJK words sit outside \b, which does not see them.
 */
export const WORKFLOW_WORDS: [RegExp, WorkflowId][] = [
  // Training from scratch is training even when fine-tuning is weighed beside it.
  [/\b(?:from\s+scratch|pre-?training)\b|从头训练|预训练/i, 'training'],
  [
    // Unsloth also publishes model files ("unsloth/Qwen3-14B-GGUF", "the Unsloth version"): no fine-tuning.
    // GRPO, DPO and RLHF train a model that exists: they are fine-tuning, whatever word goes with them.
    /\b(?:fine[\s-]?tun(?:e|ing|ed(?!\s+(?:models?|weights|checkpoints?)\b)|able)|finetun(?:e|ing|ed(?!\s+(?:models?|weights|checkpoints?)\b))|q?lora|sft|peft|dreambooth|regularization\s+images?|axolotl|(?<!\/)unsloth(?![/_-]|\s*(?:'s|version|gguf|dynamic|quants?)\b)|llama-?factory|kohya(?:_ss)?|grpo|dpo|orpo|rlhf|reward\s+model(?:ing)?)\b|微调(?!后)|(?<![a-z])(?:grpo|dpo|rlhf)(?=训练|微调)/i,
    'fine-tune',
  ],
  // "a trained model", "the fine-tuned weights", 微调后 ("after fine-tuning"): a model's past, not the work asked about.
  [/\b(?:(?:re-?)?train(?:ing|ed(?!\s+(?:models?|weights|checkpoints?)\b))?|pre-?train(?:ing)?)\b|训练/i, 'training'],
  [
    /\b(?:(?<!\b(?:your|youtube|yt|thanks\s+for\s+(?:the|this|your)|watched\s+(?:a|the|your|this)|in\s+(?:this|your)|tutorial|explainer)\s+)video(?!\s*(?:cards?|memory|ram|vram|adapter|output|driver))(?:\s*gen(?:eration)?)?|i2v|t2v|ti2v|img2vid|txt2vid|image[\s-]*(?:to|2)[\s-]*video|text[\s-]*(?:to|2)[\s-]*video|wan\s*2\.\d|mochi|cogvideox?|hunyuan\s*video|ltx-?(?:video|v|2)|ltxvideo|seedvr2?|skyreels|framepack|num_frames|\d+[\s\u2011-]?frames?(?!\s*(?:per|a|\/)\s*s))\b|(?<!up主的|博主的|作者的|教程|[bB]站|油管)视频/i,
    'video',
  ],
  [
    /\b(?:image\s*gen(?:eration)?|images?(?<!\b(?:docker|container|podman|vllm|cuda|rocm|base|system|disk|iso|os)\s+images?|[:/][\w.-]+`?\s+images?|\u0001\s+images?)|stable\s*diffusion|sdxl|sd\s*1\.5|flux|mflux|draw\s*things|diffusionbee|fooocus|invokeai|comfy\s*ui|comfyui|a1111|diffusion|txt2img|img2img|\d{3,4}\s*x\s*\d{3,4}(?:px)?|\d{1,3}\s*(?:sampling\s+)?steps?)\b|图片|图像|生图/i,
    'image',
  ],
  [
    // Many users or requests at once; "simultaneously" of GPUs, or a training "batch size", is no serving,
    // nor is "ollama serve" or "vllm serve" (commands that start a server, for one user as often as
    // for many), nor a runtime's name alone: vLLM, SGLang or TensorRT-LLM run one user's chat too
    // (the annotation rule; +22 -10 over eleven sets). Server slots ("-np 4",
    // "--parallel 8", "parallel slots"), a request rate, many connections, a live or high-load server
    // and vLLM's running log ("Avg generation throughput") are; a PCIe or RAM slot is not.
    /\b(?:(?<!\b(?:ollama|vllm|sglang|trtllm)\s?|\.)serv(?:e|ing)|api\s+server|production|multi[\s-]?user|concurren(?:t|cy)|load\s+balanc(?:er|ing)|(?:number\s+of|many|multiple|several|\d+(?:\s*-\s*\d+)?)\s+(?:concurrent\s+|simultaneous\s+|parallel\s+)?(?:users|clients)|parallel\s+(?:user\s+)?requests|(?<!\b(?:gpus?|cards)\b[^.?!]{0,20})simultaneous(?:ly)?|batch(?:ed|es|ing)?(?!\s*size)|(?:multiple|many|concurrent|simultaneous|parallel|\d+)\s+(?:real[\s-]?time\s+)?connections|(?:concurrent|simultaneous)\s+requests|requests?\s+(?:per|a)\s+(?:second|minute)|req\/s|live\s+server|high[\s-]load|(?:parallel|server)\s+slots|avg\s+(?:prompt|generation)\s+throughput)\b|(?<!\S)(?:-np|--parallel)[\s=]+(?:[2-9]|\d{2,})\b|部署服务|并发/i,
    'serving',
  ],
  [
    /\b(?:rag|retrieval|agents?|agentic|documents|knowledge\s+base|embeddings?|vector\s+(?:db|store|database)|long\s+docs?)\b/i,
    'rag',
  ],
  [
    // "the code" of a project (说明里的代码, the code in the readme) is no coding workflow; coding is said as such.
    /\b(?:coding|code\s+(?:completion|generation|assistant|agent|review|editor)|(?:for|write|writing|generate|generating)\s+code|coder|copilot|programming|autocomplete|cursor|continue\.dev|aider|cline|opencode|claude\s+code)\b|写代码|代码(?:生成|补全|助手|能力|模型)|编程|编码|开发工具/i,
    'coding',
  ],
  [/\b(?:chat(?:ting|bot)?|conversation|assistant|roleplay|rp)\b/i, 'chat'],
];

export const PRIORITY_WORDS: [RegExp, Priority][] = [
  [
    /\b(?:quiet(?:er|est|ly)?|silen(?:t|ce|tly)|nois(?:e|y|ier|eless)|loud(?:er)?|bedroom|office)\b|安静|噪音/i,
    'silence',
  ],
  [
    // "Cost is irrelevant" and "regardless of price" say money does not matter; a power, memory or
    // time "budget" is no money.
    /(?<!\b(?:regardless\s+of|no\s+matter\s+(?:the|what)|power|thermal|memory|vram|token|compute|time|energy|error)\s+(?:the\s+)?)\b(?:cheap(?:est|er)?|budget|buget|budjet|cost(?!s?\s+(?:about\s+|around\s+)?\d+(?:\.\d+)?\s*(?:s|secs?|seconds?|mins?|minutes?|hours?|h|ms)\b)|afford(?:able)?|money|prices?)\b(?!\s+(?:is|was|are)\s+(?:irrelevant|no\s+(?:object|issue|concern)|not\s+(?:an?\s+)?(?:issue|concern|factor|problem))|\s+(?:doesn'?t|does\s+not)\s+matter)|[$€£]\s?(?![\d.,]*\d\s*(?:\/|per|an?)\s*(?:kwh|mtok|million|m|hour|hr|h|month|mo)\b)\d|性价比|便宜|预算|省钱|价格|昂贵/i,
    'budget',
  ],
  // "power limit 350 W" and "power supply" are settings and parts, "enough power to run it" is
  // capacity, and "efficient" alone (efficient fine-tuning, GPU efficiency) is no electricity.
  [
    /\b(?:(?<!\b(?:enough|more|less|compute|computing|processing|gpu|cpu|graphics|horse)\s+)power(?!\s+(?:limit|supply|supplies|cable|connector|profile|budget)|\s*\/\s*thermal)|watts?|electricity|energy)\b|功耗|省电|电费/i,
    'power',
  ],
  [/\b(?:fast(?:est|er)?|speed|throughput|slow(?:er)?)\b|速度|更快/i, 'speed'],
  [/\bbalanced?\b/i, 'balanced'],
];

/** "vs 4090", "against m3 ultra", "compared to a dgx spark", "or a mac mini". */
export const VERSUS =
  /\b(?:vs\.?|versus|against|compared?\s+(?:to|with)|or)\s+(?:an?\s+|the\s+)?([a-z0-9][a-z0-9 .+-]{1,40}?)(?=$|[,;]|\s+(?:for|with|at|and|on)\b)/i;
