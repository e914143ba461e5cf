/**
 * Free text to a compare query, for Slack and the console: "llama 3.3 70b q8 for coding, 8h a day
 * at 30 cents" -> model, quant, workflow, hours, price. Case-insensitive and order-free: each
 * recognised phrase is taken out of the text, and what remains names the model.
 */
import type { Catalog } from '../catalog/catalog.js';
import type { CompareInput } from './query.js';
import { PRIORITY_WORDS, RULES, VERSUS, WORKFLOW_WORDS } from './phrases.js';
import { compact, extractQuant } from './resolve.js';
import { ok, type Result } from '../result.js';
import { KEYED_OPTIONS } from './options.js';

export interface Understood {
  input: CompareInput;
  /** How ambiguous phrases were read ("30 cents" -> $0.30/kWh), for the reply. */
  notes: string[];
}

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
function bounded(text: string, max = MAX_TEXT_LENGTH): string {
  return text
    .slice(0, max)
    .replace(/[\u0000-\u001f\u007f\s]+/g, ' ')
    .replace(/\S+/g, (w) => (w.length > MAX_TOKEN_LENGTH ? w.slice(0, MAX_TOKEN_LENGTH) : w));
}

/** A `name=value` (or `name: value`) pair for any keyed option; each name is in KEYED_OPTIONS. */
const KEYED_PAIR = new RegExp(`\\b(${[...KEYED_OPTIONS.keys()].join('|')})\\s*[=:]\\s*("[^"]+"|\\S+)`, 'gi');

/** What is left of the text as phrases are taken out of it, and what they said. */
interface Reading {
  rest: string;
  out: Record<string, unknown>;
  notes: string[];
}

/** Takes the first match of `re` out of the text. */
function take(r: Reading, re: RegExp, fn: (m: RegExpExecArray) => void): void {
  const m = re.exec(r.rest);
  if (!m) return;
  fn(m);
  r.rest = `${r.rest.slice(0, m.index)} ${r.rest.slice(m.index + m[0].length)}`;
}

/** Takes every match of `re` out of the text; true if there was one. */
const globals = new WeakMap<RegExp, RegExp>();
function removeAll(r: Reading, re: RegExp): boolean {
  let g = globals.get(re);
  if (!g) globals.set(re, (g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`)));
  g.lastIndex = 0;
  if (!g.test(r.rest)) return false;
  r.rest = r.rest.replace(g, ' ');
  return true;
}

/** "key=value" / "key:value" pairs, as the settings command and power users type them. */
function readKeyedPairs(r: Reading, input: string): void {
  for (const m of input.matchAll(KEYED_PAIR)) {
    r.out[KEYED_OPTIONS.get(m[1]!.toLowerCase())!] = m[2]!.replace(/^"|"$/g, '');
    r.rest = r.rest.replace(m[0], ' ');
  }
}

/** "vs 4090", "or a mac mini": the device to compare with, when it is one the catalog knows. */
function readVersus(r: Reading, catalog: Catalog): void {
  const vs = VERSUS.exec(r.rest);
  if (!vs) return;
  const id = findDevice(catalog, vs[1]!);
  if (!id) return;
  r.out.against ??= id;
  r.rest = `${r.rest.slice(0, vs.index)} ${r.rest.slice(vs.index + vs[0].length)}`;
}

/**
 * Workflow, priority and quant words. Pasted references ("qwen2.5-coder:32b", "org/Model-GGUF",
 * "x-Q4_K_M.gguf", "30b-a3b") are masked meanwhile, so "coder" in a tag is not taken for the
 * coding workflow.
 */
function readWords(r: Reading, catalog: Catalog, quantFirst = false): void {
  // With the model already cut out (ask), a quant inside a pasted word ("UD-MLX-4bit") is still one.
  if (quantFirst) readQuant(r, catalog);
  const masked: string[] = [];
  r.rest = r.rest.replace(/\S+/g, (w) => {
    if (!isPastedReference(w)) return w;
    masked.push(w);
    return ` \u0001${masked.length - 1}\u0001 `;
  });
  for (const [re, wf] of WORKFLOW_WORDS) if (r.out.workflow === undefined && removeAll(r, re)) r.out.workflow = wf;
  for (const [re, p] of PRIORITY_WORDS) if (r.out.priority === undefined && removeAll(r, re)) r.out.priority = p;
  readQuant(r, catalog);
  r.rest = r.rest.replace(/\u0001(\d+)\u0001/g, (_, i: string) => masked[Number(i)] ?? ' ');
}

/**
 * A 16-bit float said as a card's feature or a training switch, not the weights' format: "supports
 * CUDA 11.8 and bf16", "setting bf16 and tf32 to false", "--bf16", "bf16=True". Judged at each
 * mention: "the 4090 supports fp16, will llama 3.1 8b in fp16 fit?" still asks for FP16 weights.
 */
const FLOAT = /\bb?fp?16\b/gi;
function floatOnlyAsSetting(text: string): boolean {
  const at = [...text.matchAll(FLOAT)];
  return (
    at.length > 0 &&
    at.every((m) => {
      const before = text.slice(Math.max(0, m.index - 40), m.index);
      const after = text.slice(m.index + m[0].length, m.index + m[0].length + 30);
      return (
        /\b(supports?|supported|support for|enable[sd]?|disable[sd]?)\s+([^\s,;?!]*[^\s,;?!.]\s+){0,3}$/i.test(
          before,
        ) ||
        /^\s*(and|&)\s+tf32\b/i.test(after) ||
        /--$/.test(before) ||
        /^\s*=\s*(true|false|1|0)\b/i.test(after)
      );
    })
  );
}

function readQuant(r: Reading, catalog: Catalog): void {
  if (r.out.quant !== undefined) return;
  const q = extractQuant(catalog, r.rest.toLowerCase());
  if (q.quant && q.quant.family === 'float' && floatOnlyAsSetting(r.rest)) return;
  if (q.quant) {
    r.out.quant = q.quant.id;
    r.rest = q.rest;
  }
}

/** Devices named without "vs" ("5090 or m3 ultra for 70b") still count when they are not the model. */
function readNamedDevice(r: Reading, catalog: Catalog): void {
  if (r.out.against !== undefined) return;
  const id = findDevice(catalog, r.rest.replace(/\b\d+(?:\.\d+)?b\b/gi, ' '));
  if (!id || id === 'rtx-5090') return;
  r.out.against = id;
  const names = [catalog.device(id)!.shortName, ...catalog.device(id)!.record.aliases].sort(
    (x, y) => y.length - x.length,
  );
  for (const a of names) {
    const re = new RegExp(a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s*'), 'i');
    if (re.test(r.rest)) {
      r.rest = r.rest.replace(re, ' ');
      return;
    }
  }
}

/** What is left once every phrase is read, less filler words and runtimes' names: the model as typed. */
function remainingModel(rest: string): string {
  return rest
    .replace(/\b(?:rtx\s*)?5090\b/gi, ' ')
    .replace(
      /\b(?:for|with|at|on|and|a|an|the|vs|i|want|to|run|which|gpu|should|buy|is|better|mac|what|about|day|per|please|model|my|using|vllm|sglang|tgi|lmdeploy|tensorrt(?:-llm)?)\b/gi,
      ' ',
    )
    .replace(/[?!,;]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Parses free text into a compare input. Never throws; the model text is validated by compare().
 * `phrasesOnly`: only the phrases (quant, context, workflow, priority, numbers), no device or model.
 */
export function understand(
  catalog: Catalog,
  text: string,
  o: { phrasesOnly?: boolean; maxLength?: number } = {},
): Result<Understood> {
  const input = bounded(text, o.maxLength);
  const r: Reading = { rest: ` ${input} `, out: {}, notes: [] };
  readKeyedPairs(r, input);
  // ask reads machines and models itself; it wants only the phrases (quant, context, prices ...).
  if (!o.phrasesOnly) readVersus(r, catalog);
  for (const rule of RULES) take(r, rule.re, (m) => rule.apply(m, r.out, r.notes));
  readWords(r, catalog, o.phrasesOnly);
  if (o.phrasesOnly) return ok({ input: r.out as CompareInput, notes: r.notes });
  readNamedDevice(r, catalog);
  const model = remainingModel(r.rest);
  if (model !== '' && r.out.model === undefined) r.out.model = model;
  return ok({ input: r.out as CompareInput, notes: r.notes });
}
