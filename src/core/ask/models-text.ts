/**
 * The model a question names, found anywhere in a sentence: pasted ids, Ollama tags and GGUF/MLX
 * file names ("qwen2.5-coder:32b", "unsloth/Qwen3-30B-A3B-GGUF"), names as typed ("llama 3.3 70b",
 * "qwen 2.5 coder 32b", "flux dev", "wan 2.2 14b"), families the catalog does not know yet ("GLM-5.1",
 * "Kimi K2.5"), bare sizes ("70B models"), and one-letter typos of family names ("lama", "deepsek").
 */
import type { Catalog } from '../catalog/catalog.js';
import type { MediaModel, ModelFamily } from '../catalog/media-schema.js';
import { resolveModel, type ModelMatch } from '../query/resolve.js';
import { isPastedReference } from '../query/understand.js';
import type { ModelKind, ModelReading } from './types.js';
import { NameTrie, nameTokens, tokensOf, TypoIndex, type Token } from './words.js';

export interface ModelFound {
  reading: ModelReading;
  /** The text to hand to the verdict (a catalog id, or the reference as typed). */
  reference: string;
  /** The catalog match, when the model is an LLM the catalog knows or a size estimate. */
  match?: ModelMatch;
  media?: MediaModel;
  /** The words as typed, to take out of the text. */
  typed: string;
  /** A typo was mended ("lama" -> "llama"). */
  mended?: string;
}

type Named =
  { kind: 'family'; family: ModelFamily } | { kind: 'media'; model: MediaModel } | { kind: 'llm'; id: string };

interface Index {
  trie: NameTrie<Named>;
  /** Media models by the tokens of each of their names, joined by spaces. */
  media: Map<string, MediaModel>;
  /** Family words of 4+ letters, for one-letter typos. */
  typos: TypoIndex;
}
const indexes = new WeakMap<Catalog, Index>();

function indexOf(catalog: Catalog): Index {
  let ix = indexes.get(catalog);
  if (ix) return ix;
  const trie = new NameTrie<Named>();
  // Media names and aliases first (a whole name beats a family word), then catalog LLM names.
  for (const m of catalog.media)
    for (const n of [m.name, m.id.replace(/-/g, ' '), ...m.aliases])
      trie.add(nameTokens(n), { kind: 'media', model: m });
  for (const m of catalog.models)
    for (const n of [m.name, ...m.record.aliases]) trie.add(nameTokens(n), { kind: 'llm', id: m.id });
  const vocabulary = new Map<string, string>();
  const familyWords: [string, ModelFamily][] = catalog.families.flatMap((f) =>
    f.words.map((w) => [w, f] as [string, ModelFamily]),
  );
  for (const m of catalog.models) {
    const f = catalog.families.find((x) => x.words.includes(m.record.family.split('-')[0]!));
    if (!f)
      familyWords.push([
        m.record.family.split('-')[0]!,
        { id: m.record.family, name: m.record.family, kind: 'llm', words: [m.record.family] },
      ]);
  }
  for (const [w, family] of familyWords) {
    const toks = nameTokens(w);
    trie.add(toks, { kind: 'family', family });
    if (toks.length === 1 && /^[a-z]{4,}$/.test(toks[0]!)) vocabulary.set(toks[0]!, toks[0]!);
  }
  const media = new Map<string, MediaModel>();
  for (const m of catalog.media)
    for (const a of [m.name, m.id.replace(/-/g, ' '), ...m.aliases]) {
      const key = nameTokens(a).join(' ');
      if (!media.has(key)) media.set(key, m);
    }
  ix = { trie, typos: new TypoIndex(vocabulary.keys()), media };
  indexes.set(catalog, ix);
  return ix;
}

/** Words that continue a model name after its family ("coder", "instruct", "a3b", "k2.5"). */
const VARIANT =
  /^(coder|code|instruct|chat|base|vl|vision|distill|distilled|flash|air|mini|small|medium|large|nano|turbo|dev|schnell|pro|next|thinking|scout|maverick|oss|max|plus|i2v|t2v|ti2v|kontext|xl|lite|omni|tiny|preview|math|it|hf|r\d?|v\d?|k\d?|e\d|n|a|b|m|x|t|s|qat|moe|fill|edit|image|video|llm|nemo|think|reasoning|maverick|opus|fast|full|long|1m|gguf|mlx|text|rlhf|o1|xt|img2vid|hd|sft|dpo)$/;
const STOP =
  /^(for|on|with|at|vs|or|and|to|in|using|via|is|are|can|will|would|model|models|run|running|q\d.*|fp\d+|bf16|f16|int\d|\d+bit|bit|gb|tb|k|tokens?|ctx|context)$/;
const NUMBERISH = /^\d+(\.\d+)*$/;
/** Words that sit next to model names and are one letter away from a family name ("image" / "zimage"). */
const PLAIN =
  /^(image|images|video|videos|model|models|large|small|medium|vision|coder|chat|base|text|speech|voice|music|audio|local|server|cloud|llama|flux|wan|mac|card|cards|core|cores|fast|slow|plan|mini|lite|ultra|super)$/;
const RUNTIME = /^(llama[.\-_ ]?(cpp|server|bench|cli|swap)|llamafile|llama[.\-_]?index)/i;

/** Reads the model the text names, or null. `skip` marks token ranges already read as machines. */
export function readModel(catalog: Catalog, text: string, skip: [number, number][] = []): ModelFound | null {
  const pasted = pastedReference(catalog, text);
  if (pasted) return pasted;
  const { trie, typos } = indexOf(catalog);
  const tokens = tokensOf(text);
  const skipped = (i: number) => skip.some(([a, b]) => tokens[i]!.start >= a && tokens[i]!.start < b);
  let sizeOnly: ModelFound | null = null;
  for (let i = 0; i < tokens.length; i++) {
    if (skipped(i)) continue;
    let hit = trie.longest(tokens, i);
    let mended: string | undefined;
    // A typo is mended only where a model name goes on ("lama 3", "deepsek r1"), never in plain words.
    const goesOn = (k: number) =>
      !!tokens[k] &&
      (NUMBERISH.test(tokens[k]!.t) ||
        /^\d+(\.\d+)?[bm]?$/.test(tokens[k]!.t) ||
        /^(r1|v3|coder|instruct)$/.test(tokens[k]!.t));
    if (
      !hit &&
      tokens[i]!.first &&
      tokens[i]!.t.length >= 4 &&
      /^[a-z]+$/.test(tokens[i]!.t) &&
      !PLAIN.test(tokens[i]!.t) &&
      goesOn(i + 1)
    ) {
      const word = typos.mend(tokens[i]!.t);
      if (word) {
        mended = word;
        const patched = [...tokens];
        patched[i] = { ...patched[i]!, t: word };
        hit = trie.longest(patched, i);
      }
    }
    if (hit) {
      const end = extend(tokens, hit.end, text);
      // "llama.cpp", "llama-server": the runtime, not a model.
      if (RUNTIME.test(text.slice(tokens[i]!.start, (tokens[end] ?? tokens[end - 1]!).end + 8))) continue;
      const found = resolveSpan(catalog, text, tokens, i, end, hit.value, mended);
      if (found) return found;
      continue;
    }
    sizeOnly ??= sizeAt(catalog, text, tokens, i);
  }
  return sizeOnly;
}

/** A pasted id, tag or file name: the strongest signal, read whole by the catalog resolver. */
function pastedReference(catalog: Catalog, text: string): ModelFound | null {
  for (const raw of text.split(/\s+/)) {
    const word = raw.replace(/^[("'`<[]+|[)"'`>\].,;!?]+$/g, '');
    if (!isPastedReference(word) || /^https?:\/\/(?!huggingface\.co|hf\.co|ollama\.com)/i.test(word)) continue;
    const media = mediaOf(catalog, word);
    if (media) return mediaFound(media, word);
    const r = resolveModel(catalog, word);
    if (r.ok && !r.value.estimated) return llmFound(r.value, word, word);
  }
  return null;
}

/** After a family or name: version numbers, sizes and variant words, while they stay part of the name. */
function extend(tokens: Token[], end: number, text: string): number {
  let j = end;
  while (j < tokens.length) {
    const t = tokens[j]!;
    // CJK characters are never part of a model name, even written without a space.
    if (/[\u3400-\u9fff]/.test(t.t)) break;
    const glued = !t.first || /^[-_.:/]?$/.test(text.slice(tokens[j - 1]!.end, t.start));
    if (!glued && STOP.test(t.t)) break;
    if (glued || NUMBERISH.test(t.t) || VARIANT.test(t.t) || /^\d+(\.\d+)?[bm]$/.test(t.t)) {
      j++;
      continue;
    }
    break;
  }
  return j;
}

function resolveSpan(
  catalog: Catalog,
  text: string,
  tokens: Token[],
  i: number,
  end: number,
  named: Named,
  mended: string | undefined,
): ModelFound | null {
  const typedRaw = text.slice(tokens[i]!.start, tokens[end - 1]!.end);
  const typed = mended ? `${mended}${typedRaw.slice(tokens[i]!.end - tokens[i]!.start)}` : typedRaw;
  if (named.kind === 'media') return mediaFound(mediaOf(catalog, typed) ?? named.model, typedRaw);
  const media = mediaOf(catalog, typed);
  if (media) return mediaFound(media, typedRaw);
  const r = resolveModel(catalog, typed);
  if (r.ok) {
    const kind: ModelKind = named.kind === 'family' && named.family.kind !== 'llm' ? 'image' : 'llm';
    if (!r.value.estimated) return llmFound(r.value, typedRaw, typed, mended);
    return {
      ...llmFound(r.value, typedRaw, typed, mended),
      reading: { id: r.value.model.id, name: typed, kind, source: 'estimate' },
    };
  }
  if (named.kind === 'family') {
    const kind: ModelKind = named.family.kind === 'video' ? 'video' : named.family.kind === 'image' ? 'image' : 'llm';
    return {
      reading: { id: null, name: typed, kind, source: 'estimate' },
      reference: typed,
      typed: typedRaw,
      ...(mended ? { mended } : {}),
    };
  }
  return null;
}

/** "70B models", "a 34b model": a model known only by its size. */
function sizeAt(catalog: Catalog, text: string, tokens: Token[], i: number): ModelFound | null {
  const n = tokens[i]!;
  const unit = tokens[i + 1];
  if (!NUMBERISH.test(n.t) || !unit || unit.t !== 'b' || unit.first || !unit.last) return null;
  const typed = text.slice(n.start, unit.end);
  const r = resolveModel(catalog, typed);
  if (!r.ok) return null;
  return {
    ...llmFound(r.value, typed, typed),
    reading: { id: r.value.model.id, name: typed.toUpperCase(), kind: 'llm', source: 'estimate' },
  };
}

function mediaOf(catalog: Catalog, typed: string): MediaModel | undefined {
  return indexOf(catalog).media.get(nameTokens(typed).join(' '));
}

function mediaFound(m: MediaModel, typed: string): ModelFound {
  return { reading: { id: m.id, name: m.name, kind: m.kind, source: 'catalog' }, reference: m.id, media: m, typed };
}

function llmFound(match: ModelMatch, typed: string, reference: string, mended?: string): ModelFound {
  return {
    reading: {
      id: match.model.id,
      name: match.model.name,
      kind: 'llm',
      source: match.estimated ? 'estimate' : 'catalog',
    },
    reference,
    match,
    typed,
    ...(mended ? { mended } : {}),
  };
}
