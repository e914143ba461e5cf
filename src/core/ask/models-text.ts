/**
 * The model a question names, found anywhere in a sentence: pasted ids, Ollama tags and GGUF/MLX
 * file names ("qwen2.5-coder:32b", "unsloth/Qwen3-30B-A3B-GGUF"), names as typed ("llama 3.3 70b",
 * "qwen 2.5 coder 32b", "flux dev", "wan 2.2 14b"), families the catalog does not know yet ("GLM-5.1",
 * "Kimi K2.5"), bare sizes ("70B models"), and one-letter typos of family names ("lama", "deepsek").
 */
import { perCatalog, type Catalog } from '../catalog/catalog.js';
import type { MediaModel, ModelFamily } from '../catalog/media-schema.js';
import type { CatalogModel } from '../catalog/catalog.js';
import { extractQuant, resolveModel, tokenize, type ModelMatch } from '../query/resolve.js';
import { estimateFromSize } from '../query/sized.js';
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
  /** Only a family was named ("llama", "qwen"): the catalog models it may mean, newest first. */
  family?: { name: string; models: CatalogModel[] };
  /** A model of a kind whichgpu does not estimate (speech: "whisper large"), by that kind. */
  outside?: 'audio' | 'other';
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
const indexOf = perCatalog((catalog): Index => {
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
  // Only the curated families' words are mended from typos; a catalog family outside them is
  // named by its whole id ("seed-oss", "command-r"), never by a first word that is plain English.
  for (const [w] of familyWords) {
    const toks = nameTokens(w);
    if (toks.length === 1 && /^[a-z]{4,}$/.test(toks[0]!)) vocabulary.set(toks[0]!, toks[0]!);
  }
  for (const m of catalog.models) {
    const f = catalog.families.find((x) => x.words.includes(m.record.family.split('-')[0]!));
    if (!f)
      familyWords.push([
        m.record.family,
        { id: m.record.family, name: m.record.family, kind: 'llm', words: [m.record.family] },
      ]);
  }
  for (const [w, family] of familyWords) trie.add(nameTokens(w), { kind: 'family', family });
  const media = new Map<string, MediaModel>();
  for (const m of catalog.media)
    for (const a of [m.name, m.id.replace(/-/g, ' '), ...m.aliases]) {
      const key = nameTokens(a).join(' ');
      if (!media.has(key)) media.set(key, m);
    }
  return { trie, typos: new TypoIndex(vocabulary.keys()), media };
});

/** Words that continue a model name after its family ("coder", "instruct", "a3b", "k2.5"). */
const VARIANT =
  /^(coder|code|instruct|chat|base|vl|vision|distill|distilled|flash|air|mini|small|medium|large|nano|turbo|dev|schnell|pro|next|thinking|scout|maverick|oss|max|plus|i2v|t2v|ti2v|kontext|xl|lite|omni|tiny|preview|math|it|hf|r\d?|v\d?|k\d?|e\d|n|a|b|m|x|t|s|qat|moe|fill|edit|image|video|llm|nemo|think|reasoning|maverick|opus|fast|full|long|1m|gguf|mlx|text|rlhf|o1|xt|img2vid|hd|sft|dpo)$/;
/** Variant words that name a model even written apart ("qwen 2.5 coder", "llama 4 scout", "flux dev"). */
const LOOSE_VARIANT =
  /^(coder|instruct|vl|vision|distill|distilled|flash|air|mini|small|medium|large|nano|turbo|dev|schnell|next|thinking|scout|maverick|oss|i2v|t2v|ti2v|kontext|xl|omni|preview|r1|v2|v3|k2|qat|moe|nemo|reasoning|1m|\d+(\.\d+)?[bm]|a\d+(\.\d+)?b|e\d+b|r|v|k|a|b|m|e|x)$/;
const STOP =
  /^(for|on|with|at|vs|or|and|to|in|using|via|is|are|can|will|would|model|models|run|running|q\d.*|fp\d+|bf16|f16|int\d|\d+bit|bit|gb|tb|k|tokens?|ctx|context)$/;
const NUMBERISH = /^\d+(\.\d+)*$/;
/** Variant words a family name is followed by, for mending both ("mistrall smal"). */
const VARIANT_WORDS = [
  'small',
  'medium',
  'large',
  'coder',
  'instruct',
  'vision',
  'mini',
  'turbo',
  'flash',
  'distill',
  'scout',
  'maverick',
];
const VARIANT_TYPOS = new TypoIndex(VARIANT_WORDS);

/**
 * Words that sit next to model names and are one letter away from a family name ("image" /
 * "zimage"); Ollama is the runtime, not a Llama.
 */
const PLAIN =
  /^(ollama|image|images|video|videos|model|models|large|small|medium|vision|coder|chat|base|text|speech|voice|music|audio|local|server|cloud|llama|flux|wan|mac|card|cards|core|cores|fast|slow|plan|mini|lite|ultra|super)$/;
const RUNTIME = /^(llama[.\-_ ]?(cpp|server|bench|cli|swap|factory|index|stack)|llamafile)/i;

/**
 * Reads the model the text names, or null. `skip` marks token ranges already read as machines.
 * When several models are named, the one asked about is the first, unless the first sits in a
 * statement and a later one in a question ("I ran llama 7b. Can a Mac run llama 2 70B?"); a later
 * mention that only shortens the first ("glm-4-9b-chat ... glm4?") is the same model.
 */
export function readModel(catalog: Catalog, text: string, skip: [number, number][] = []): ModelFound | null {
  const pasted = pastedReference(catalog, text);
  if (pasted) return pasted;
  const { trie, typos } = indexOf(catalog);
  const tokens = tokensOf(text);
  const spans = [...skip, ...scriptPaths(text)];
  const skipped = (i: number) => spans.some(([a, b]) => tokens[i]!.start >= a && tokens[i]!.start < b);
  let sizeOnly: ModelFound | null = null;
  let first: ModelFound | undefined;
  let familyOnly = false;
  for (let i = 0; i < tokens.length; i++) {
    if (skipped(i)) continue;
    let hit = trie.longest(tokens, i);
    let mended: string | undefined;
    // A typo is mended only where a model name goes on ("lama 3", "deepsek r1"), never in plain words.
    const goesOn = (k: number) =>
      !!tokens[k] &&
      (NUMBERISH.test(tokens[k]!.t) ||
        (/^[rvk]$/.test(tokens[k]!.t) && NUMBERISH.test(tokens[k + 1]?.t ?? '')) ||
        VARIANT.test(tokens[k]!.t) ||
        VARIANT_TYPOS.mend(tokens[k]!.t) !== undefined);
    const short = hit ? undefined : shortName(text, tokens, i);
    if (short) {
      const patched = [...tokens];
      patched[i] = { ...patched[i]!, t: short.word };
      hit = trie.longest(patched, i);
      if (hit) mended = short.as;
    }
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
    // "Wan 1.3B", "Wan Lora 1.3B": Wan said with the size of one of its models is that model.
    if (!hit && tokens[i]!.t === 'wan' && tokens[i]!.first && tokens[i]!.last) {
      const at = /^loras?$/.test(tokens[i + 1]?.t ?? '') ? i + 2 : i + 1;
      const sized = isSize(tokens, at) ? mediaOf(catalog, `wan ${tokens[at]!.t}b`) : undefined;
      // (The words between stay the question's: "Lora" says fine-tuning.)
      if (sized)
        return mediaFound(
          sized,
          at === i + 1
            ? text.slice(tokens[i]!.start, tokens[at + 1]!.end)
            : text.slice(tokens[i]!.start, tokens[i]!.end),
        );
    }
    // "a WAN", "WAN or Hunyuan": Wan said bare is the video model only where the question is about video.
    if (!hit && tokens[i]!.t === 'wan' && tokens[i]!.first && tokens[i]!.last && VIDEO_WORDS.test(text)) {
      const wan = catalog.families.find((f) => f.id === 'wan');
      const media = wan ? familyDefault(catalog, wan) : undefined;
      if (media) {
        const found = mediaFound(media, text.slice(tokens[i]!.start, tokens[i]!.end));
        if (!first) {
          if (inQuestion(text, tokens[i]!.start) || !text.includes('?', tokens[i]!.end)) return found;
          first = found;
        }
        continue;
      }
    }
    if (hit) {
      const end = extend(tokens, i, hit.end, text);
      // "llama.cpp", "llama-server": the runtime, not a model.
      if (RUNTIME.test(text.slice(tokens[i]!.start, (tokens[end] ?? tokens[end - 1]!).end + 8))) continue;
      const found = resolveSpan(catalog, text, tokens, i, end, hit.value, mended);
      if (!found) continue;
      const asked = inQuestion(text, tokens[i]!.start);
      if (!first) {
        // "qwen模型可以用哪些gpu？ qwen2 72B模型...": a family named alone where it would be the
        // answer waits for a later mention that sizes it (the same family, never another model).
        const returns = asked || !text.includes('?', tokens[end - 1]!.end);
        if (returns && !found.family) return found;
        familyOnly = returns;
        first = found;
      } else if (familyOnly) {
        if (!found.family && refines(found, first) && !ranElsewhere(text, tokens[i]!.start)) return found;
      } else if (asked && !shortens(found, first)) return found;
      i = end - 1;
      continue;
    }
    if (!first) sizeOnly ??= sizeAt(catalog, text, tokens, i);
  }
  return first ?? sizeOnly ?? unknownNamed(text, skip) ?? ggufFile(text);
}

/**
 * "Load model: nex-agi_Nex-N2-mini-Q4_K_M.gguf": a GGUF file nothing else read (no catalog name, no
 * size in it) is still the model, named as pasted; the answer says it does not know it.
 */
function ggufFile(text: string): ModelFound | null {
  const m = /(?:^|[\s:"'`(/\\])([\w][\w.+-]{3,150}\.gguf)(?![\w.])/i.exec(text);
  if (!m) return null;
  const name = m[1]!;
  return { reading: { id: null, name, kind: 'llm', source: 'estimate' }, reference: name, typed: name };
}

/**
 * Words that stand before "model" without being a model's name: pronouns, adjectives, the tiers of a
 * machine ("the Pro model"), formats and quants ("the GGUF model"), runtimes and tools.
 */
const NOT_A_MODEL =
  /^(this|that|these|those|it|same|other|new|old|full|complete|whole|large|larger|small|smaller|big|bigger|base|default|latest|original|quantized|distilled|instruct|instruction|chat|vision|embedding|dense|reasoning|thinking|coder|code|text|image|video|language|pro|max|ultra|air|mini|plus|lite|turbo|flash|fast|local|custom|gguf|ggml|awq|gptq|exl2|mlx|onnx|safetensors|int4|int8|fp4|fp8|fp16|fp32|bf16|nf4|ollama|vllm|comfyui|diffusers|transformers|pytorch|huggingface|openai|chatgpt|api|gpu|cpu|ai|llm|rtx|gtx|nvidia|amd|apple|intel|mac|macbook|studio|laptop|desktop)$/i;

/**
 * A model the catalog does not know, named where only a model goes: "the BART model", "the
 * OpenScholar model". Its name is read, unsized: the answer then says it does not know it and how
 * to add its size. Only "the X model" is taken: after "run" or "use" a capitalised word is as often
 * a runtime, a tool or a format ("run LocalAI on", "using Q4_K_M on").
 */
function unknownNamed(text: string, skip: [number, number][]): ModelFound | null {
  const m = /\bthe ([A-Z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)*) (?:model|llm|checkpoint)\b/.exec(text);
  if (!m) return null;
  const name = m[1]!;
  const at = m.index + m[0].indexOf(name);
  if (name.length < 3 || NOT_A_MODEL.test(name) || /^(q\d|iq\d)/i.test(name)) return null;
  if (skip.some(([a, b]) => at < b && at + name.length > a)) return null;
  return { reading: { id: null, name, kind: 'llm', source: 'estimate' }, reference: name, typed: name };
}

/**
 * Short names people use for a model family: "DSv4", "DS-V3", "DS R1" are DeepSeek (a version
 * must follow: "DS" alone is no model), and "R1" on its own is DeepSeek R1 ("open-r1", a project
 * named after it, is not). The family word to read, and the text it stands for.
 */
function shortName(text: string, tokens: Token[], i: number): { word: string; as: string } | undefined {
  const t = tokens[i]!;
  if (!t.first) return undefined;
  const next = tokens[i + 1];
  if (/^ds[vr]$/.test(t.t) && next && !next.first && NUMBERISH.test(next.t))
    return { word: 'deepseek', as: `DeepSeek ${t.t.slice(2).toUpperCase()}` };
  if (t.t === 'ds' && t.last && /^[vr]$/.test(next?.t ?? '') && NUMBERISH.test(tokens[i + 2]?.t ?? ''))
    return { word: 'deepseek', as: 'DeepSeek' };
  // "DeepSeekV3", "GLMv4": a version glued to the family name (the caller checks the family exists).
  if (/^[a-z]{3,}v$/.test(t.t) && t.t !== 'dsv' && next && !next.first && NUMBERISH.test(next.t))
    return { word: t.t.slice(0, -1), as: `${text.slice(t.start, t.end - 1)} ${text[t.end - 1]!.toUpperCase()}` };
  if (t.t === 'r' && !t.joined && next?.t === '1' && !next.first && next.last && !tokens[i + 2]?.joined)
    return { word: 'deepseek', as: 'DeepSeek R' };
  return undefined;
}

/** Whether the sentence holding `at` ends with a question mark. */
function inQuestion(text: string, at: number): boolean {
  const end = /[?？]|[.!。！](?=\s|$)/.exec(text.slice(at));
  return !!end && /[?？]/.test(end[0]);
}

/**
 * Whether the sentence holding `at` tells of a run already made ("my friend runs qwen2.5 0.5b on his
 * phone", "I tried deepseek-r1 1.5b", "7b runs on my 3060 already"): a model someone has, not the
 * size of the family asked about.
 */
function ranElsewhere(text: string, at: number): boolean {
  let start = 0;
  for (const m of text.slice(0, at).matchAll(SENTENCE_END)) start = m.index + 1;
  const after = text.slice(at).search(SENTENCE_END);
  const end = after < 0 ? text.length : at + after;
  return RAN.test(text.slice(start, end));
}
/** A sentence ends at a mark followed by a space ("qwen2.5" goes on). */
const SENTENCE_END = /[.?!](?=\s|$)|[。？！\n]/g;
/** Words of a run already made. */
const RAN = /\b(runs?|ran|running|tried|using|used|already|friend)\b|跑过|用过|在用|已经/i;

/** "glm4" after "glm-4-9b-chat": a later mention that only shortens the first name. */
function shortens(later: ModelFound, first: ModelFound): boolean {
  if (later.reading.id !== null && later.reading.id === first.reading.id) return true;
  const a = nameTokens(later.typed);
  const b = nameTokens(first.typed);
  return a.length <= b.length && a.every((t, k) => t === b[k]);
}

/** A script or config path ("Qwen1.5/examples/web_demo.py", "train_qwen3-8b.sh") names no model. */
const SCRIPT_PATH_SOURCE = String.raw`(?<![^\s\u3000-\u303f\u3400-\u9fff\uff00-\uffef])[^\s\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+\.(?:py|sh|ipynb|json|ya?ml|md|txt|toml|cfg|js|ts)(?![\w.])`;
/** One word that is such a path (no `g` flag: `test` keeps no position between calls). */
const SCRIPT_PATH = new RegExp(`^${SCRIPT_PATH_SOURCE}$`, 'i');
/** Every such path in a text (a fresh global regex per search: matchAll copies its position). */
const scriptPaths = (text: string) =>
  [...text.matchAll(new RegExp(SCRIPT_PATH_SOURCE, 'gi'))].map((m): [number, number] => [
    m.index,
    m.index + m[0].length,
  ]);

/** A pasted id, tag or file name: the strongest signal, read whole by the catalog resolver. */
function pastedReference(catalog: Catalog, text: string): ModelFound | null {
  // Chinese runs words together: a pasted id ends at the first CJK character or full-width mark.
  const words = text.split(/[\s\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+/);
  let first: ModelFound | null = null;
  for (const [i, raw] of words.entries()) {
    const bare = raw.replace(/^[("'`<[]+|[)"'`>\].,;!?]+$/g, '');
    // "./llama2-13b.Q4_K_M.gguf", "../Models/Wan2.2-TI2V-5B": a path's last part is the model.
    const word = /^\.{0,2}\/|\/.*\//.test(bare) ? bare.slice(bare.lastIndexOf('/') + 1) : bare;
    if (SCRIPT_PATH.test(word)) continue;
    // "M1/M2", "3090/4090", "7b/13b": alternatives, not an owner/name id.
    if (word.includes('/') && word.split('/').every((part) => /^[a-z0-9.]{1,5}$/i.test(part))) continue;
    // "qwen3-coder 480b": a size after it belongs to the name, which the name reader reads whole;
    // so does a variant word ("phi-3 medium", "phi-3 vision").
    if (/^\d+(\.\d+)?[bm]$/i.test(words[i + 1] ?? '') || LOOSE_VARIANT.test((words[i + 1] ?? '').toLowerCase()))
      continue;
    // ... and so does one before an id without a size of its own ("236B DeepSeek-Coder-V2" is the
    // 236B, not the tag's default 16B; "the 8B unsloth/Llama-3.1-8B-Instruct-bnb-4bit" keeps its id).
    if (/^\d+(\.\d+)?[bm]$/i.test(words[i - 1] ?? '') && !/\d(\.\d+)?[bm]\b/i.test(word)) continue;
    // "deepseek distilled qwen-32B": the end of a name that started before it.
    if (/^distill(ed)?$/i.test(words[i - 1] ?? '')) continue;
    if (!isPastedReference(word) || /^https?:\/\/(?!huggingface\.co|hf\.co|ollama\.com)/i.test(word)) continue;
    const media = mediaOf(catalog, word);
    if (media) return first ?? mediaFound(media, word);
    const r = resolveModel(catalog, word);
    let found: ModelFound | null = null;
    if (r.ok && !r.value.estimated) found = llmFound(r.value, word, word);
    // "lfm2.5-thinking:1.2b", "someorg/Model-7B-GGUF": an Ollama tag or a Hub id the catalog does
    // not know, with its size in it, is that model, named as pasted and sized by it.
    else if (r.ok && SIZED_ID.test(word))
      found = {
        ...llmFound(r.value, word, word),
        reading: { id: r.value.model.id, name: word, kind: 'llm', source: 'estimate' },
      };
    if (!found) continue;
    // "LLama-70B ... fine tune llama-2-70b": a later id that spells out the first one's version is
    // the model meant.
    if (first) return refines(found, first) ? found : first;
    first = found;
  }
  return first;
}

/** An Ollama tag or a Hub id that states its size ("name:1.2b", "org/Name-7B-Instruct"). */
const SIZED_ID = /^[a-z][\w.-]*:\d+(\.\d+)?[bm]$|^[\w.-]+\/[\w.-]*\d(\.\d+)?[bm]\b/i;

/** A later mention that holds every word of the first and more ("llama-2-70b" after "LLama-70B"). */
function refines(later: ModelFound, first: ModelFound): boolean {
  const a = nameTokens(later.typed);
  const b = new Set(nameTokens(first.typed));
  return a.length > b.size && [...b].every((t) => a.includes(t)) && later.reading.id !== first.reading.id;
}

/** After a family or name: version numbers, sizes and variant words, while they stay part of the name. */
function extend(tokens: Token[], start: number, end: number, text: string): number {
  let j = end;
  let sized = tokens.slice(start, end).some((_, k) => isSize(tokens, start + k));
  while (j < tokens.length) {
    const t = tokens[j]!;
    // CJK characters are never part of a model name, even written without a space.
    if (/[\u3400-\u9fff]/.test(t.t)) break;
    const gap = text.slice(tokens[j - 1]!.end, t.start);
    // "Qwen 3.6 27b/Qwen 3.8 27b": after the size, a slash starts the next name.
    if (sized && gap === '/') break;
    const glued = !t.first || /^[-_.:/]?$/.test(gap);
    if (!glued && STOP.test(t.t)) break;
    // A number with a unit is a quantity ("8h/day", "24gb", "3.75 hours"), not part of the name;
    // after the size, a new number starts something else ("llama 3.1 8b 3.75h").
    if (NUMBERISH.test(t.t) && t.first && (UNIT.test(tokens[j + 1]?.t ?? '') || sized)) break;
    // "Wan2.1 Image-to-Video 14B", "Text2Video": the task spelled out is the I2V / T2V of the name.
    if (
      /^(image|img|text|txt)$/.test(t.t) &&
      /^(to|2)$/.test(tokens[j + 1]?.t ?? '') &&
      /^(video|vid)$/.test(tokens[j + 2]?.t ?? '')
    ) {
      j += 3;
      continue;
    }
    // Apart from the name, only numbers and words that are clearly part of a model name go on it
    // ("qwen 2.5 coder 32b"); "it", "max", "image" go on only when glued ("gemma-3-27b-it").
    // "deepseek distill qwen 32b": a distill names the model it was distilled into, size and all.
    const distilledInto =
      /^(qwen|llama)$/.test(t.t) &&
      /^distill(ed)?$/.test(tokens[j - 1]!.t) &&
      /^\s+$/.test(text.slice(tokens[j - 1]!.end, t.start));
    const loose =
      LOOSE_VARIANT.test(t.t) || distilledInto || (t.t.length >= 4 && VARIANT_TYPOS.mend(t.t) !== undefined);
    if (
      (glued && (VARIANT.test(t.t) || NUMBERISH.test(t.t) || !t.first || /^[a-z0-9]+$/.test(t.t))) ||
      NUMBERISH.test(t.t) ||
      loose
    ) {
      if (isSize(tokens, j)) sized = true;
      j++;
      continue;
    }
    break;
  }
  return j;
}

const isLlm = (named: Named) => named.kind === 'llm' || (named.kind === 'family' && named.family.kind === 'llm');

/**
 * "How many A100s to tune a 13B model? ... train llama2": a model said by its size elsewhere in
 * the question, when it is the only size said that way, is the size of a family named without one.
 */
function sizedModelElsewhere(tokens: Token[], i: number, end: number): number {
  let found = -1;
  for (let k = 0; k < tokens.length; k++) {
    if (k >= i && k < end) continue;
    if (
      !isSize(tokens, k) ||
      !tokens[k]!.first ||
      !/^(models?|llms?|params?|parameters?)$/.test(tokens[k + 2]?.t ?? '')
    )
      continue;
    if (found >= 0 && tokens[found]!.t !== tokens[k]!.t) return -1;
    found = k;
  }
  return found;
}

/** "70b", "8 b", "1.5b", "a3b": a parameter count. */
function isSize(tokens: Token[], k: number): boolean {
  return NUMBERISH.test(tokens[k]?.t ?? '') && /^[bm]$/.test(tokens[k + 1]?.t ?? '') && !tokens[k + 1]!.first;
}

const UNIT =
  /^(h|hr|hrs|hours?|gb|g|gib|tb|k|tok|toks|tokens?|w|kwh|c|cents?|x|px|steps?|s|sec|secs|seconds?|ms|mins?|minutes?|t|it|bit|bits|bpw|gbs|mb|%)$/;

function resolveSpan(
  catalog: Catalog,
  text: string,
  tokens: Token[],
  i: number,
  end: number,
  named: Named,
  mended: string | undefined,
): ModelFound | null {
  // "the 120b model of gpt-oss": a size said just before a family that names none.
  const sizeBefore = tokens
    .slice(Math.max(0, i - 5), i)
    .findIndex((_, k, a) => NUMBERISH.test(a[k]!.t) && /^[b]$/.test(a[k + 1]?.t ?? '') && !a[k + 1]!.first);
  const spanHasSize = tokens.slice(i, end).some((_, k) => isSize(tokens, i + k));
  const typedRaw = text.slice(tokens[i]!.start, tokens[end - 1]!.end);
  let typed = mended ? `${mended}${typedRaw.slice(tokens[i]!.end - tokens[i]!.start)}` : typedRaw;
  // "DeepSeekV3", "GLMv4": a version glued to the family name.
  typed = typed
    .replace(/([a-z]{3,})(v\d)/i, '$1 $2')
    .replace(/\b(?:image|img)[\s-]*(?:to|2)[\s-]*(?:video|vid)\b/i, 'I2V')
    .replace(/\b(?:text|txt)[\s-]*(?:to|2)[\s-]*(?:video|vid)\b/i, 'T2V')
    // "the deepseek distilled qwen 32b": DeepSeek's distills are all R1's.
    .replace(/\bdistilled\b/i, 'distill')
    .replace(/\b(deepseek)[\s_-]+(distill)\b/i, '$1 R1 $2');
  const k = spanHasSize
    ? -1
    : sizeBefore >= 0
      ? Math.max(0, i - 5) + sizeBefore
      : isLlm(named)
        ? sizedModelElsewhere(tokens, i, end)
        : -1;
  if (k >= 0) {
    const withSize = resolveModel(catalog, `${typed} ${tokens[k]!.t}b`);
    if (withSize.ok && !withSize.value.estimated)
      return llmFound(withSize.value, typedRaw, `${typed} ${tokens[k]!.t}b`);
    // Not in the catalog: the model is the family with that size ("70b llama2" -> llama2 70B).
    typed = `${typed} ${tokens[k]!.t}B`;
  }
  const fixed = typed.replace(/[a-z]{4,}/gi, (w) =>
    VARIANT.test(w.toLowerCase()) ? w : (VARIANT_TYPOS.mend(w.toLowerCase()) ?? w),
  );
  if (fixed !== typed) {
    mended ??= fixed;
    typed = fixed;
  }
  if (named.kind === 'media') return mediaFound(mediaOf(catalog, typed) ?? named.model, typedRaw);
  // "hunyuan videos", "qwen images": the family's video or image model, whatever LLM shares its name.
  // A family said alone in a question about video or images ("WAN or Hunyuan" for video training) is
  // the family's video or image model too.
  const medium =
    /^(videos?|images?)$/.exec(tokens[end]?.t ?? '')?.[1]?.replace(/s$/, '') ??
    (named.kind === 'family' && !/\d/.test(typed) ? mediumOf(text) : undefined);
  const named2 = medium ? mediaOf(catalog, `${typed} ${medium}`) : undefined;
  if (named2) return mediaFound(named2, typedRaw);
  const media = mediaOf(catalog, typed) ?? (named.kind === 'family' ? familyDefault(catalog, named.family) : undefined);
  if (media) return mediaFound(media, typedRaw);
  const kind: ModelKind =
    named.kind === 'family'
      ? named.family.kind === 'video'
        ? 'video'
        : named.family.kind === 'image'
          ? 'image'
          : 'llm'
      : 'llm';
  const name = extractQuant(catalog, typed).rest.trim() || typed;
  // An image, video or audio family without a model of its own in the data ("SeedVR") is that
  // model, unsized: the LLM resolver would match its name to whatever LLM spells alike (Seed-OSS).
  if (named.kind === 'family' && named.family.kind !== 'llm') {
    const family = named.family.kind;
    return {
      reading: { id: null, name, kind, source: 'estimate' },
      reference: typed,
      typed: typedRaw,
      ...(mended ? { mended } : {}),
      ...(family === 'audio' || family === 'other' ? { outside: family } : {}),
    };
  }
  // A family alone ("llama", "Qwen") names no model: which one changes the answer, so ask.
  const words = nameTokens(typed);
  if (kind === 'llm' && words.length === 1 && !/\d/.test(typed)) {
    const models = familyModels(catalog, words[0]!);
    if (models.length > 1)
      return {
        reading: { id: null, name: typed, kind, source: 'estimate' },
        reference: typed,
        typed: typedRaw,
        family: { name: typed, models },
        ...(mended ? { mended } : {}),
      };
  }
  let r = resolveModel(catalog, typed);
  // "deepseek distill", "llama instruct": a family and a variant word but no version or size still
  // leave the model open ("the 1.5B or the 70B?"): ask, as for the family alone.
  const candidates = r.ok && !r.value.estimated ? [r.value.model, ...(r.value.alternatives ?? [])] : [];
  const sizes = candidates.map((m) => m.paramsB);
  if (kind === 'llm' && !/\d/.test(typedRaw) && candidates.length > 1 && Math.max(...sizes) > 1.5 * Math.min(...sizes))
    return {
      reading: { id: null, name: typed, kind, source: 'estimate' },
      reference: typed,
      typed: typedRaw,
      family: { name: typed, models: candidates },
      ...(mended ? { mended } : {}),
    };
  // "llama 8b" is a Llama, not the DeepSeek distill of one: among equal matches, the model whose
  // name starts with the family typed comes first.
  if (r.ok && !r.value.estimated && r.value.alternatives?.length && nameTokens(r.value.model.name)[0] !== words[0]) {
    const own = r.value.alternatives.find((m) => nameTokens(m.name)[0] === words[0]);
    if (own)
      r = {
        ok: true,
        value: {
          ...r.value,
          model: own,
          alternatives: [r.value.model, ...r.value.alternatives.filter((m) => m !== own)],
        },
      };
  }
  if (r.ok && !r.value.estimated) return llmFound(r.value, typedRaw, typed, mended);
  // A near-miss of a catalog name with the same numbers is a typo ("qwen2.5-codr-32b"); other
  // numbers make it another model ("llama 3.2 1b" never becomes the 3B).
  const near = r.ok ? undefined : typoOf(catalog, name, r.error.candidates ?? []);
  if (near) {
    const again = resolveModel(catalog, near.id);
    if (again.ok)
      return {
        ...llmFound(again.value, typedRaw, near.id, name),
        reading: { id: near.id, name: near.name, kind: 'llm', source: 'catalog' },
      };
  }
  if (r.ok)
    return {
      ...llmFound(r.value, typedRaw, typed, mended),
      reading: { id: r.value.model.id, name, kind, source: 'estimate' },
    };
  // Not a typo of a catalog model: a model of its own, sized from its name when it says a size.
  const sized = kind === 'llm' ? estimateFromSize(tokenize(name), name) : undefined;
  if (sized)
    return {
      ...llmFound({ model: sized, estimated: true }, typedRaw, typed, mended),
      reading: { id: sized.id, name, kind, source: 'estimate' },
    };
  return {
    reading: { id: null, name, kind, source: 'estimate' },
    reference: typed,
    typed: typedRaw,
    ...(mended ? { mended } : {}),
  };
}

/** The catalog model a typo stands for: a close name (the resolver's candidates) with exactly the same numbers. */
function typoOf(catalog: Catalog, typed: string, candidates: string[]): CatalogModel | undefined {
  const numbers = (s: string) => (s.toLowerCase().match(/\d+(\.\d+)?/g) ?? []).sort().join(',');
  const want = numbers(typed);
  for (const c of candidates) {
    const m = catalog.models.find((x) => x.name === c);
    if (m && [m.name, ...m.record.aliases].some((a) => numbers(a) === want)) return m;
  }
  return undefined;
}

/** "70B models", "a 34b model": a model known only by its size. */
function sizeAt(catalog: Catalog, text: string, tokens: Token[], i: number): ModelFound | null {
  const n = tokens[i]!;
  const unit = tokens[i + 1];
  if (!NUMBERISH.test(n.t) || !unit || unit.t !== 'b' || unit.first || !unit.last) return null;
  const typed = text.slice(n.start, unit.end);
  const r = resolveModel(catalog, typed);
  if (!r.ok) return null;
  // "codegen-16B-multi", "GLM-chinese-10B": a size inside an identifier names that model, sized by it.
  const before = /[A-Za-z0-9_.]*(?:-[A-Za-z0-9_.]+)*-$/.exec(text.slice(Math.max(0, n.start - 60), n.start))?.[0] ?? '';
  const after = /^(?:-[A-Za-z0-9_.]+)*/.exec(text.slice(unit.end, unit.end + 60))?.[0] ?? '';
  const id = `${before}${typed}${after}`;
  // ("70B-parameter", "7b-instruct" stay the size: a name starts before its size.)
  const named = before !== '' && /[a-z]{3}/i.test(before) ? id : typed.toUpperCase();
  return {
    ...llmFound(r.value, typed, typed),
    reading: { id: r.value.model.id, name: named, kind: 'llm', source: 'estimate' },
  };
}

/** The medium a question is about when it says so: video (clips, frames, I2V) or images. */
function mediumOf(text: string): 'video' | 'image' | undefined {
  if (VIDEO_WORDS.test(text)) return 'video';
  if (IMAGE_WORDS.test(text)) return 'image';
  return undefined;
}
const VIDEO_WORDS = /\b(videos?|clips?|i2v|t2v|ti2v|img2vid|frames)\b|视频/i;
const IMAGE_WORDS =
  /\b(generat\w*|mak\w*|creat\w*|render\w*)\s+(an?\s+)?(images?|pictures?)\b|\bimage\s*gen|\b(txt2img|img2img|text-to-image)\b|生图|文生图/i;

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

/**
 * An image or video family named without its model ("stable diffusion", "Flux.1", "LTX"): the
 * model the family's own name stands for in the data (an alias equal to a family word), else its
 * newest model. The answer is about the workflow, so the exact model matters less than the kind.
 */
function familyDefault(catalog: Catalog, family: ModelFamily): MediaModel | undefined {
  if (family.kind !== 'image' && family.kind !== 'video') return undefined;
  const members = catalog.media.filter((m) => m.family === family.id);
  const words = new Set(family.words.map((w) => nameTokens(w).join(' ')));
  return (
    members.find((m) => m.aliases.some((a) => words.has(nameTokens(a).join(' ')))) ??
    [...members].sort((a, b) => b.released.localeCompare(a.released))[0]
  );
}

/** Catalog models of a family word ("llama", "qwen", "gemma"), newest first. */
function familyModels(catalog: Catalog, word: string): CatalogModel[] {
  return catalog.models
    .filter((m) => nameTokens(m.name)[0] === word || m.record.family.split('-')[0] === word)
    .sort((a, b) => b.record.released.localeCompare(a.record.released) || b.paramsB - a.paramsB);
}
