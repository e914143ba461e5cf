/**
 * Names to catalog entries: model references as people paste them (catalog names and aliases,
 * Ollama tags, GGUF file names, Hugging Face ids, bare sizes), quantization names and devices.
 *
 * Order of trust: an exact id or alias; a phantom ("Llama 3 13B"); every word of the reference
 * found in one model's names (several matches are an ambiguity we answer, not hide); a bare size
 * ("70b", "8x7b", "30b-a3b") for a model we do not know, with an estimated architecture.
 */
import type { PhantomModel } from '../catalog/schema.js';
import { safeEcho } from './echo.js';
import { estimateFromSize, isSizeToken } from './sized.js';
import {
  perCatalog,
  type Catalog,
  type CatalogDevice,
  type CatalogModel,
  type CatalogQuant,
} from '../catalog/catalog.js';
import { err, ok, type Result } from '../result.js';
import { deviceOfMention, readMachines } from '../ask/machines-text.js';

export { safeEcho };

/** Lowercase, no separators: "Llama-3.3 70B" and "llama3.3:70b" meet at "llama3.370b". */
export function compact(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9.]/g, '');
}

/** Words that decorate a reference without naming a different model. */
const NOISE = new Set([
  'instruct',
  'it',
  'chat',
  'gguf',
  'hf',
  'latest',
  'base',
  'meta',
  'mlx',
  'community',
  'dwq',
  'qat',
  'model',
  'the',
  'a',
  'an',
  'run',
  'running',
  'want',
  'to',
  'i',
  'for',
  'with',
  'on',
  'in',
  'and',
  'of',
  'locally',
  'local',
  'llm',
  'please',
  'compare',
  'is',
  'what',
  'about',
  'how',
  'fast',
  'v0.1',
  'v0.3',
  'bartowski',
  'unsloth',
  'thebloke',
  'lmstudio',
  'ggml',
  'org',
]);

/**
 * Words of a reference, split where people and repos disagree on spacing: "llama3.1:70b" and
 * "Llama 3.1 70B" both give [llama, 3.1, 70b].
 */
export function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/\.gguf\b/g, ' ')
    .replace(/([a-z]{3,})(\d)/g, '$1 $2')
    .split(/[\s_:/\\,;()[\]{}"'`|+-]+/)
    .map((t) => t.replace(/^\.+|\.+$/g, ''))
    .filter((t) => t !== '' && !NOISE.has(t));
}

function stripReference(text: string): string {
  let s = text.trim().toLowerCase();
  s = s.replace(/\.gguf$/, '');
  s = s.replace(/^(https?:\/\/)?(hf\.co|huggingface\.co|ollama\.com\/library)\//, '');
  // A Hugging Face id names the org before the slash; the model is after it.
  if (/^[\w.-]+\/[\w.-]+$/.test(s)) s = s.slice(s.indexOf('/') + 1);
  return s;
}

let quantRegexCache: { catalog: Catalog; re: RegExp } | undefined;
function quantPattern(catalog: Catalog): RegExp {
  if (quantRegexCache?.catalog === catalog) return quantRegexCache.re;
  const names = catalog.quants.flatMap((q) => [q.id, ...q.record.aliases]).map((n) => n.toLowerCase());
  const escaped = [...new Set(names)]
    .sort((a, b) => b.length - a.length)
    .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[-_ ]/g, '[-_ ]?'));
  // Chinese text runs words together ("4bit量化"): a CJK character is a boundary too, as is the
  // star of Markdown bold ("**Q4_K_M**").
  const re = new RegExp(
    `(?:^|[-_ :.,/("'\`*\u3400-\u9fff])(${escaped.join('|')})s?(?=$|[-_ :.,/?!;)"'\`*\u3400-\u9fff])`,
    'i',
  );
  quantRegexCache = { catalog, re };
  return re;
}

/** Finds a quantization named inside a longer text; returns it and the text without it. */
export function extractQuant(catalog: Catalog, text: string): { quant?: CatalogQuant; rest: string } {
  const m = quantPattern(catalog).exec(text);
  if (!m || !m[1]) return { rest: text };
  const q = resolveQuant(catalog, m[1]);
  if (!q.ok) return { rest: text };
  // The bold marks around it ("**Q4_K_M**") go with it.
  const before = text.slice(0, m.index).replace(/\*+$/, '');
  const after = text.slice(m.index + m[0].length).replace(/^\*+/, '');
  return { quant: q.value, rest: `${before} ${after}`.trim() };
}

export function resolveQuant(catalog: Catalog, text: string): Result<CatalogQuant> {
  const key = compact(text).replace(/\./g, '');
  for (const q of catalog.quants) {
    if ([q.id, ...q.record.aliases].some((a) => compact(a).replace(/\./g, '') === key)) return ok(q);
  }
  const echo = safeEcho(text, 40);
  return err('UNKNOWN_QUANT', echo ? `I don't know the quantization "${echo}".` : "I don't know that quantization.", {
    hint: `Try one of: ${catalog.quants.map((q) => q.id).join(', ')}.`,
  });
}

export interface ModelMatch {
  model: CatalogModel;
  /** A quantization named inside the reference ("...-Q8_0.gguf", "llama3.1:70b-q8_0"). */
  quant?: CatalogQuant;
  /** The reference named a model that does not exist; `model` is its nearest real neighbour. */
  phantom?: PhantomModel;
  /** Other models the reference matched as well as `model` (ambiguity, answered openly). */
  alternatives?: CatalogModel[];
  /** The model is not in the catalog: its architecture was estimated from the size. */
  estimated?: boolean;
  /** The model was learned at run time: where from, said with the answer. */
  learned?: { from: string; fetchedAt: string; read: string[] };
}

let keyCache: { catalog: Catalog; keys: Map<string, { compact: Set<string>; tokens: string[][] }> } | undefined;
function keysOf(catalog: Catalog, m: CatalogModel) {
  if (keyCache?.catalog !== catalog) keyCache = { catalog, keys: new Map() };
  let k = keyCache.keys.get(m.id);
  if (!k) {
    const r = m.record;
    const names = [
      m.id,
      m.name,
      ...r.aliases,
      ...r.ollama,
      ...r.huggingface.map((h) => h.slice(h.lastIndexOf('/') + 1)),
    ];
    const stripped = names.map((n) => extractQuant(catalog, stripReference(n)).rest);
    k = {
      compact: new Set(stripped.map((n) => compact(tokenize(n).join(' ')))),
      tokens: stripped.map((n) => tokenize(n)),
    };
    keyCache.keys.set(m.id, k);
  }
  return k;
}

/** No model reference is longer; a longer paste is cut before matching (it keeps matching linear). */
export const MAX_REFERENCE_LENGTH = 200;

export function resolveModel(catalog: Catalog, fullText: string): Result<ModelMatch> {
  const text = fullText.slice(0, MAX_REFERENCE_LENGTH);
  const direct = catalog.model(text.trim().toLowerCase());
  if (direct) return ok({ model: direct });
  if (text.trim() === '')
    return err('UNKNOWN_MODEL', 'Which model? The reference was empty.', { hint: exampleHint(catalog) });

  const extracted = extractQuant(catalog, stripReference(text));
  let quant = extracted.quant;
  // "mlx-community/...-4bit" is an MLX file, not a GGUF 4-bit.
  if (quant && /\bmlx\b|mlx-community/i.test(text) && quant.family !== 'mlx') {
    const mlx = quant.bitsPerWeight < 5.5 ? 'MLX-4bit' : quant.bitsPerWeight < 7.5 ? 'MLX-6bit' : 'MLX-8bit';
    quant = catalog.quant(mlx) ?? quant;
  }
  const tokens = tokenize(extracted.rest);
  const key = compact(tokens.join(' '));
  if (key === '') {
    return err(
      'UNKNOWN_MODEL',
      quant ? `That names a quantization (${quant.id}) but no model.` : 'Which model? The reference was empty.',
      { hint: exampleHint(catalog) },
    );
  }
  const withQuant = (m: Found): Result<ModelMatch> => ok({ ...m, ...(quant ? { quant } : {}) });
  const found = byName(catalog, key) ?? bySizeOnly(catalog, tokens, text) ?? byWords(catalog, tokens);
  if (found) return withQuant(found);
  // A near-miss of a known name is a typo to point out, not a new model to estimate.
  const candidates = suggestModels(catalog, key);
  const typo = candidates[0] && similarity(catalog, candidates[0], key) >= TYPO_SIMILARITY;
  const sized = typo ? undefined : estimateFromSize(tokens, text);
  if (sized) return withQuant({ model: sized, estimated: true });
  return unknownModel(catalog, text, candidates);
}

type Found = Omit<ModelMatch, 'quant'>;

/** A model's own name or alias; else a phantom's, answered with its nearest real model. */
function byName(catalog: Catalog, key: string): Found | undefined {
  for (const m of catalog.models) if (keysOf(catalog, m).compact.has(key)) return { model: m };
  for (const p of catalog.phantoms()) {
    if ([p.name, ...p.aliases].some((a) => compact(tokenize(a).join(' ')) === key)) {
      const nearest = catalog.model(p.nearest[0]!);
      if (nearest) return { model: nearest, phantom: p };
    }
  }
  return undefined;
}

/**
 * Only sizes ("70b", "8x7b", "30b-a3b"): a model we are not told the name of. Estimate it, and
 * name the catalog models of that size as alternatives.
 */
function bySizeOnly(catalog: Catalog, tokens: string[], text: string): Found | undefined {
  if (!tokens.every(isSizeToken)) return undefined;
  const sizedOnly = estimateFromSize(tokens, text);
  if (!sizedOnly) return undefined;
  const near = catalog.models
    .filter((m) => Math.abs(m.paramsB / sizedOnly.paramsB - 1) < 0.12)
    .sort((a, b) => b.record.released.localeCompare(a.record.released))
    .slice(0, 5);
  return { model: sizedOnly, estimated: true, ...(near.length ? { alternatives: near } : {}) };
}

/** A model made for one job (vision, code, maths, safety): picked only when its job is named. */
const SPECIALIZED = /\b(vl|vision|coder|code|math|guard|embed\w*|audio|omni)\b/i;

/**
 * Every word of the reference in one of a model's names; fewest extra words wins, then a general
 * model over a specialized one ("qwen 32b" is Qwen3 32B, not Qwen3-VL 32B), then newest.
 */
function byWords(catalog: Catalog, tokens: string[]): Found | undefined {
  const scored = catalog.models
    .map((m) => {
      const extras = keysOf(catalog, m)
        .tokens.filter((kt) => tokens.every((t) => kt.includes(t)))
        .map((kt) => kt.length - tokens.length);
      return { m, extra: extras.length ? Math.min(...extras) : Infinity };
    })
    .filter((x) => x.extra !== Infinity)
    .sort(
      (a, b) =>
        a.extra - b.extra ||
        Number(SPECIALIZED.test(a.m.name)) - Number(SPECIALIZED.test(b.m.name)) ||
        b.m.record.released.localeCompare(a.m.record.released) ||
        a.m.id.localeCompare(b.m.id),
    );
  if (scored.length === 0) return undefined;
  const [best, ...others] = scored;
  return { model: best!.m, ...(others.length ? { alternatives: others.slice(0, 5).map((x) => x.m) } : {}) };
}

function unknownModel(catalog: Catalog, text: string, candidates: CatalogModel[]): Result<ModelMatch> {
  const echo = safeEcho(text, 80);
  return err('UNKNOWN_MODEL', echo ? `I don't know the model "${echo}".` : "I don't know that model.", {
    candidates: candidates.map((c) => c.name),
    hint: candidates[0]
      ? `Did you mean ${candidates[0].name}? Try model:${candidates[0].record.ollama[0] ?? candidates[0].id}`
      : exampleHint(catalog),
  });
}

function exampleHint(catalog: Catalog) {
  const ex = catalog.models
    .filter((m) => m.record.ollama.length)
    .slice(-3)
    .map((m) => m.record.ollama[0]);
  return `Try a model name such as "llama 3.3 70b", an Ollama tag like ${ex.join(', ')}, a GGUF file name or a Hugging Face id.`;
}

/** Dice similarity of a reference to a model's closest name, above which we call it a typo. */
const TYPO_SIMILARITY = 0.75;

function bigrams(s: string) {
  const out = new Map<string, number>();
  for (let i = 0; i < s.length - 1; i++) out.set(s.slice(i, i + 2), (out.get(s.slice(i, i + 2)) ?? 0) + 1);
  return out;
}

/** Bigrams of each model name key, computed once per catalog (typo checks run on every unknown name). */
let bigramCache: { catalog: Catalog; byKey: Map<string, Map<string, number>> } | undefined;
function bigramsOf(catalog: Catalog, key: string): Map<string, number> {
  if (bigramCache?.catalog !== catalog) bigramCache = { catalog, byKey: new Map() };
  let g = bigramCache.byKey.get(key);
  if (!g) bigramCache.byKey.set(key, (g = bigrams(key)));
  return g;
}

function dice(a: string, ga: Map<string, number>, b: string, gb: Map<string, number>) {
  let inter = 0;
  for (const [g, n] of ga) inter += Math.min(n, gb.get(g) ?? 0);
  return (2 * inter) / Math.max(1, a.length - 1 + b.length - 1);
}

function similarity(catalog: Catalog, m: CatalogModel, key: string, keyGrams = bigrams(key)) {
  let best = 0;
  for (const k of keysOf(catalog, m).compact) best = Math.max(best, dice(k, bigramsOf(catalog, k), key, keyGrams));
  return best;
}

/**
 * Every model name key's bigrams, inverted (bigram -> the keys holding it, with counts): a typo
 * check then touches only the keys sharing a pair with the name, not all of a 150-model catalog.
 */
const bigramIndex = perCatalog((catalog) => {
  const keys: { model: CatalogModel; pairs: number }[] = [];
  const postings = new Map<string, [number, number][]>();
  for (const m of catalog.models)
    for (const k of keysOf(catalog, m).compact) {
      const idx = keys.push({ model: m, pairs: k.length - 1 }) - 1;
      for (const [g, n] of bigramsOf(catalog, k)) {
        let list = postings.get(g);
        if (!list) postings.set(g, (list = []));
        list.push([idx, n]);
      }
    }
  return { keys, postings };
});

/** Models whose names share the most character pairs with the key (Dice coefficient), for hints. */
export function suggestModels(catalog: Catalog, key: string, limit = 3): CatalogModel[] {
  const { keys, postings } = bigramIndex(catalog);
  const shared = new Map<number, number>();
  for (const [g, n] of bigrams(key))
    for (const [idx, c] of postings.get(g) ?? []) shared.set(idx, (shared.get(idx) ?? 0) + Math.min(n, c));
  const best = new Map<CatalogModel, number>();
  for (const [idx, inter] of shared) {
    const k = keys[idx]!;
    const s = (2 * inter) / Math.max(1, k.pairs + key.length - 1);
    if (s > (best.get(k.model) ?? 0)) best.set(k.model, s);
  }
  return [...best]
    .filter(([, s]) => s > 0.3)
    .sort((a, b) => b[1] - a[1] || catalog.models.indexOf(a[0]) - catalog.models.indexOf(b[0]))
    .slice(0, limit)
    .map(([m]) => m);
}

/**
 * A device by id, name or description: a curated machine ("rtx-5090"), a composed id
 * ("2x-rtx-3090-ram-64gb", "macbook-pro-m2-max-96gb"), or a machine as people name it ("3060 12gb",
 * "2x 3090 + 128GB DDR4", "M2 Max 64GB MacBook").
 */
export function resolveDevice(catalog: Catalog, text: string): Result<CatalogDevice> {
  const key = compact(text);
  for (const d of catalog.devices) {
    if ([d.id, d.name, d.shortName, ...d.record.aliases].some((a) => compact(a) === key)) return ok(d);
  }
  const composed = catalog.device(text.trim().toLowerCase());
  if (composed) return ok(composed);
  const named = readMachines(catalog, text.slice(0, MAX_REFERENCE_LENGTH));
  if (named.length === 1 && !(named[0]!.generic && named[0]!.memoryGB === null))
    return ok(deviceOfMention(catalog, named[0]!));
  const echo = safeEcho(text, 60);
  return err('UNKNOWN_DEVICE', echo ? `I don't know the device "${echo}".` : "I don't know that device.", {
    hint: 'Name it as you would to a friend ("RTX 3060 12GB", "2x 3090", "M2 Max 64GB", "a 16GB GPU"), or use a catalog id such as rtx-5090 or mac-studio-m4-max-128gb.',
  });
}
