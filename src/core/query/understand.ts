/**
 * Free text to a compare query, for Slack and the console: "llama 3.3 70b q8 for coding, 8h a day
 * at 30 cents" -> model, quant, workflow, hours, price. Case-insensitive and order-free: each
 * recognised phrase is taken out of the text, and what remains names the model.
 */
import type { WorkflowId } from '../catalog/schema.js';
import type { Catalog } from '../catalog/catalog.js';
import type { CompareInput, Priority } from './query.js';
import { compact, extractQuant } from './resolve.js';
import { ok, type Result } from '../result.js';
import { KEYED_OPTIONS } from './options.js';

export interface Understood {
  input: CompareInput;
  /** How ambiguous phrases were read ("30 cents" -> $0.30/kWh), for the reply. */
  notes: string[];
}

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

interface Rule {
  re: RegExp;
  apply: (m: RegExpExecArray, out: Record<string, unknown>, notes: string[]) => void;
}

/** Ordered: more specific phrases first, so "$3 per million tokens" is an API price, not a kWh price. */
const RULES: Rule[] = [
  {
    // tokens a day: "1m tokens/day", "500k tokens a day", "2M tok per day"
    re: new RegExp(String.raw`\b${NUM}${MULT}\s*(?:tokens?|toks?)\s*(?:\/|per|a|an|each)\s*(?:day|d)\b`, 'i'),
    apply: (m, o) => (o.tokensPerDay = scale(num(m[1]!), m[2])),
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
    // electricity: "$0.30/kWh", "0.3 per kwh", "30 cents", "30c/kwh", "€0.40/kWh"
    re: new RegExp(
      String.raw`(?:[$€£]\s*${NUM}\s*(?:\/|per|a)?\s*kwh\b|\b${NUM}\s*(?:\/|per|a)?\s*kwh\b|\b${NUM}\s*(?:cents?|c|¢)(?:\s*(?:\/|per|a)\s*kwh)?\b)`,
      'i',
    ),
    apply: (m, o, notes) => {
      if (m[3] !== undefined) {
        o.kwhPrice = num(m[3]) / 100;
        notes.push(`read "${m[0].trim()}" as $${(num(m[3]) / 100).toFixed(2)}/kWh`);
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
    apply: (m, o) => (o.promptTokens = Math.round(num(m[1]!) * (m[2] ? 1024 : 1))),
  },
  {
    // context: "32k", "128k tokens", "ctx 32k", "context 65536", "32k context"
    re: new RegExp(
      String.raw`\b(?:ctx|context|window)\s*(?:of|=|:)?\s*${NUM}\s*(k)?\b(?:\s*tokens?)?|\b${NUM}\s*k\b(?:\s*(?:tokens?|ctx|context))?`,
      'i',
    ),
    apply: (m, o) => {
      if (m[1] !== undefined) o.contextTokens = Math.round(num(m[1]) * (m[2] ? 1024 : 1));
      else o.contextTokens = Math.round(num(m[3]!) * 1024);
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

const WORKFLOW_WORDS: [RegExp, WorkflowId][] = [
  [
    /\b(?:image\s*gen(?:eration)?|images?|stable\s*diffusion|sdxl|sd\s*1\.5|flux|comfy\s*ui|comfyui|a1111|diffusion)\b/i,
    'image',
  ],
  [/\b(?:video(?:\s*gen(?:eration)?)?|wan\s*2\.\d|mochi|cogvideox?|hunyuan\s*video)\b/i, 'video'],
  [/\b(?:fine[\s-]?tun(?:e|ing)|finetun(?:e|ing)|q?lora|sft)\b/i, 'fine-tune'],
  [/\b(?:train(?:ing)?|pre-?train(?:ing)?|from\s+scratch)\b/i, 'training'],
  [
    /\b(?:serv(?:e|ing)|vllm|tensorrt(?:-llm)?|api\s+server|production|multi[\s-]?user|batch(?:ed)?\s+inference)\b/i,
    'serving',
  ],
  [/\b(?:rag|retrieval|agents?|agentic|documents?|long\s+docs?)\b/i, 'rag'],
  [/\b(?:cod(?:e|ing)|coder|copilot|programming|autocomplete|cursor|continue\.dev|aider|cline)\b/i, 'coding'],
  [/\b(?:chat(?:ting|bot)?|conversation|assistant|roleplay|rp)\b/i, 'chat'],
];

const PRIORITY_WORDS: [RegExp, Priority][] = [
  [/\b(?:quiet(?:est)?|silen(?:t|ce)|noise(?:less)?|bedroom|office)\b/i, 'silence'],
  [/\b(?:cheap(?:est|er)?|budget|cost|afford(?:able)?|money|price)\b/i, 'budget'],
  [/\b(?:power|watts?|efficien(?:t|cy)|electricity|energy)\b/i, 'power'],
  [/\b(?:fast(?:est|er)?|speed|performance|throughput)\b/i, 'speed'],
  [/\bbalanced?\b/i, 'balanced'],
];

/** "vs 4090", "against m3 ultra", "compared to a dgx spark", "or a mac mini". */
const VERSUS =
  /\b(?:vs\.?|versus|against|compared?\s+(?:to|with)|or)\s+(?:an?\s+|the\s+)?([a-z0-9][a-z0-9 .+-]{1,40}?)(?=$|[,;]|\s+(?:for|with|at|and|on)\b)/i;

function findDevice(catalog: Catalog, text: string): string | undefined {
  const key = compact(text);
  if (key === '') return undefined;
  let best: { id: string; len: number } | undefined;
  for (const d of catalog.devices) {
    for (const a of [d.id, d.shortName, d.name, ...d.record.aliases]) {
      const k = compact(a);
      if (k.length >= 3 && key.includes(k) && (!best || k.length > best.len)) best = { id: d.id, len: k.length };
    }
  }
  return best?.id;
}

/** Longer messages are cut: nobody describes a model and a workflow in more. */
export const MAX_TEXT_LENGTH = 400;

/**
 * Longer words are cut: the longest real reference people paste (an org, a repo and a GGUF file
 * name with its quant) is under 120 characters.
 */
export const MAX_TOKEN_LENGTH = 160;

const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSeparator = (c: number) => c === 45 || c === 58 || c === 47; // - : /

/**
 * A pasted model reference ("qwen2.5-coder:32b", "org/Model-7B-GGUF", "x-Q4_K_M.gguf", "30b-a3b"):
 * a word with a letter, a digit and a separator in that order, a separator followed by a digit,
 * or a .gguf file name. One pass over the characters: the regex this replaces backtracked
 * polynomially on long words without a separator (400 characters took over a second) and
 * stalled every other user's question meanwhile.
 */
export function isPastedReference(word: string): boolean {
  let letter = false;
  let letterThenDigit = false;
  let separator = false;
  let referenceShape = false;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (isLetter(c)) letter = true;
    else if (isDigit(c)) {
      if (letter) letterThenDigit = true;
      if (separator) referenceShape = true;
    } else if (isSeparator(c)) {
      separator = true;
      if (letterThenDigit) referenceShape = true;
    }
  }
  if (!letter) return false;
  return referenceShape || /\S\.gguf(?:$|\W)/i.test(word);
}

/**
 * Cuts the text to MAX_TEXT_LENGTH and every word in it to MAX_TOKEN_LENGTH, without control
 * characters and with one space between words: a rule's `\s*...\s*` chain backtracked cubically
 * on a long run of spaces (26 ms for "api" and 397 spaces).
 */
function bounded(text: string): string {
  return text
    .slice(0, MAX_TEXT_LENGTH)
    .replace(/[\u0000-\u001f\u007f\s]+/g, ' ')
    .replace(/\S+/g, (w) => (w.length > MAX_TOKEN_LENGTH ? w.slice(0, MAX_TOKEN_LENGTH) : w));
}

/** A `name=value` (or `name: value`) pair for any keyed option; each name is in KEYED_OPTIONS. */
const KEYED_PAIR = new RegExp(`\\b(${[...KEYED_OPTIONS.keys()].join('|')})\\s*[=:]\\s*("[^"]+"|\\S+)`, 'gi');

/** Parses free text into a compare input. Never throws; the model text is validated by compare(). */
export function understand(catalog: Catalog, text: string): Result<Understood> {
  const out: Record<string, unknown> = {};
  const notes: string[] = [];
  const input = bounded(text);
  let rest = ` ${input} `;

  const take = (re: RegExp, fn: (m: RegExpExecArray) => void) => {
    const m = re.exec(rest);
    if (!m) return false;
    fn(m);
    rest = `${rest.slice(0, m.index)} ${rest.slice(m.index + m[0].length)}`;
    return true;
  };

  // "key=value" / "key:value" pairs, as the settings command and power users type them.
  for (const m of input.matchAll(KEYED_PAIR)) {
    out[KEYED_OPTIONS.get(m[1]!.toLowerCase())!] = m[2]!.replace(/^"|"$/g, '');
    rest = rest.replace(m[0], ' ');
  }

  const vs = VERSUS.exec(rest);
  if (vs) {
    const id = findDevice(catalog, vs[1]!);
    if (id) {
      out.against ??= id;
      rest = `${rest.slice(0, vs.index)} ${rest.slice(vs.index + vs[0].length)}`;
    }
  }
  for (const rule of RULES) take(rule.re, (m) => rule.apply(m, out, notes));

  // Pasted references ("qwen2.5-coder:32b", "org/Model-GGUF", "x-Q4_K_M.gguf", "30b-a3b") are
  // masked while words are read, so "coder" in a tag is not taken for the coding workflow.
  const masked: string[] = [];
  rest = rest.replace(/\S+/g, (w) => {
    if (!isPastedReference(w)) return w;
    masked.push(w);
    return ` \u0001${masked.length - 1}\u0001 `;
  });
  const removeAll = (re: RegExp) => {
    const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
    if (!g.test(rest)) return false;
    rest = rest.replace(g, ' ');
    return true;
  };
  for (const [re, wf] of WORKFLOW_WORDS) if (out.workflow === undefined && removeAll(re)) out.workflow = wf;
  for (const [re, p] of PRIORITY_WORDS) if (out.priority === undefined && removeAll(re)) out.priority = p;

  if (out.quant === undefined) {
    const q = extractQuant(catalog, rest.toLowerCase());
    if (q.quant) {
      out.quant = q.quant.id;
      rest = q.rest;
    }
  }
  rest = rest.replace(/\u0001(\d+)\u0001/g, (_, i: string) => masked[Number(i)] ?? ' ');
  // Devices named without "vs" ("5090 or m3 ultra for 70b") still count when they are not the model.
  if (out.against === undefined) {
    const id = findDevice(catalog, rest.replace(/\b\d+(?:\.\d+)?b\b/gi, ' '));
    if (id && id !== 'rtx-5090') {
      out.against = id;
      for (const a of [catalog.device(id)!.shortName, ...catalog.device(id)!.record.aliases].sort(
        (x, y) => y.length - x.length,
      )) {
        const re = new RegExp(a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s*'), 'i');
        if (re.test(rest)) {
          rest = rest.replace(re, ' ');
          break;
        }
      }
    }
  }
  rest = rest.replace(/\b(?:rtx\s*)?5090\b/gi, ' ');
  const model = rest
    .replace(
      /\b(?:for|with|at|on|and|a|an|the|vs|i|want|to|run|which|gpu|should|buy|is|better|mac|what|about|day|per|please|model|my)\b/gi,
      ' ',
    )
    .replace(/[?!,;]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (model !== '' && out.model === undefined) out.model = model;
  return ok({ input: out as CompareInput, notes });
}
