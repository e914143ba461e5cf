/**
 * A model learned at run time (issue 14): what the Hugging Face Hub or the Ollama registry said
 * about it (config.json, the GGUF header, file sizes) turned into a model the core can size, with
 * its attention layout (full, sliding, MLA, hybrid), its real file sizes and the basis it came from.
 * Pure: the fetching is src/lookup/'s; absurd or missing numbers are refused, never guessed past.
 */
import { err, ok, type Result } from '../result.js';
import { modelSpecOf, type Catalog, type CatalogModel } from './catalog.js';
import type { LearnedBasis, LearnedFacts } from './learned-types.js';
import { ModelRecordSchema, type ModelRecord } from './schema.js';
import type { Attention } from './specs.js';
import type { ModelMatch } from '../query/resolve.js';

export interface LearnedModel {
  model: CatalogModel;
  basis: LearnedBasis;
  /** The quant the reference named (Ollama's file_type, "repo:Q4_K_M"), as a catalog quant id. */
  quant?: string;
  /** What the reader should know about how it was read ("parameters estimated from the shape"). */
  notes: string[];
}

type Json = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const arr = (v: unknown): unknown[] | undefined => (Array.isArray(v) ? v : undefined);

/** The first numeric value among the keys (configs name the same thing many ways). */
const pick = (o: Json, ...keys: string[]) => {
  for (const k of keys) {
    const v = num(o[k]);
    if (v !== undefined) return v;
  }
  return undefined;
};

interface Shape {
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  maxContext: number;
  vocab: number;
  tied: boolean;
  attention: Attention;
  moe?: { experts: number; activeExperts: number; expertParams: number; moeLayers: number };
  /** Dense FFN width, for a parameter estimate. */
  intermediate?: number;
}

/** A mixture of experts, when the source names one: its experts, those active, each one's gated FFN size. */
function moeOf(
  experts: number | undefined,
  active: number | undefined,
  expertWidth: number | undefined,
  hidden: number,
  moeLayers: number,
): Pick<Shape, 'moe'> {
  return experts && experts > 1 && active && expertWidth
    ? { moe: { experts, activeExperts: active, expertParams: 3 * hidden * expertWidth, moeLayers } }
    : {};
}

/** `{key: value}` when the value was given, else nothing (exact optional properties). */
const optional = <K extends string>(key: K, value: number | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, number>>;

/** The language model's part of a config (vision-language configs nest it). */
function textConfig(config: Json): Json {
  for (const k of ['text_config', 'llm_config', 'language_config', 'thinker_config'])
    if (config[k] && typeof config[k] === 'object') return { ...config, ...(config[k] as Json) };
  return config;
}

/** The shape from a Transformers config.json. */
function shapeFromConfig(raw: Json): Shape | string {
  const c = textConfig(raw);
  const layers = pick(c, 'num_hidden_layers', 'n_layer', 'num_layers', 'n_layers');
  const hidden = pick(c, 'hidden_size', 'd_model', 'n_embd', 'dim');
  const heads = pick(c, 'num_attention_heads', 'n_head', 'n_heads', 'num_heads');
  if (layers === undefined || hidden === undefined || heads === undefined)
    return 'config.json has no layer count, hidden size or head count';
  const kvHeads = c.multi_query === true ? 1 : (pick(c, 'num_key_value_heads', 'n_kv_heads', 'num_kv_heads') ?? heads);
  const headDim = pick(c, 'head_dim', 'kv_channels') ?? hidden / heads;
  const maxContext = pick(c, 'max_position_embeddings', 'seq_length', 'max_seq_len', 'n_positions') ?? 4096;
  const vocab = pick(c, 'vocab_size', 'padded_vocab_size') ?? 32000;
  const experts = pick(c, 'num_experts', 'num_local_experts', 'n_routed_experts', 'moe_num_experts');
  const active = pick(c, 'num_experts_per_tok', 'num_experts_per_token', 'moe_k', 'moe_top_k', 'top_k');
  const expertWidth = pick(c, 'moe_intermediate_size', 'expert_intermediate_size') ?? pick(c, 'intermediate_size');
  const dense = pick(c, 'first_k_dense_replace') ?? 0;
  return {
    layers,
    hidden,
    heads,
    kvHeads,
    headDim,
    maxContext,
    vocab,
    tied: c.tie_word_embeddings === true,
    attention: attentionFromConfig(c, layers, kvHeads, headDim),
    ...moeOf(experts, active, expertWidth, hidden, layers - dense),
    ...optional('intermediate', pick(c, 'intermediate_size')),
  };
}

function attentionFromConfig(c: Json, layers: number, kvHeads: number, headDim: number): Attention {
  const rank = num(c.kv_lora_rank);
  if (rank !== undefined) return { kind: 'mla', kvLoraRank: rank, ropeHeadDim: num(c.qk_rope_head_dim) ?? 64 };
  const types = arr(c.layer_types)?.map(String);
  const linearState = () => {
    // Gated DeltaNet (Qwen3-Next, Qwen3.5): value heads x key dim x value dim of f32 state per layer.
    const vh = num(c.linear_num_value_heads);
    const kd = num(c.linear_key_head_dim);
    const vd = num(c.linear_value_head_dim);
    return vh && kd && vd ? (vh * kd * vd * 4) / 1e6 : 0;
  };
  if (types && types.length > 0) {
    const full = types.filter((t) => t === 'full_attention' || t === 'attention').length;
    if (types.some((t) => /linear|mamba|ssm|conv/.test(t)))
      return { kind: 'hybrid', fullLayers: full, stateMB: round(linearState() * (types.length - full)) };
    const window = num(c.sliding_window);
    if (types.includes('sliding_attention') && window) return { kind: 'sliding', window, globalLayers: full };
  }
  const interval = num(c.full_attention_interval);
  if (interval && interval > 1) {
    const full = Math.floor(layers / interval);
    return { kind: 'hybrid', fullLayers: full, stateMB: round(linearState() * (layers - full)) };
  }
  // Nemotron-H: "M-M-M*-..." where * is an attention layer; the Mamba2 state per layer is
  // heads x head dim x state size in f32.
  const pattern = typeof c.hybrid_override_pattern === 'string' ? c.hybrid_override_pattern : undefined;
  if (pattern) {
    const full = [...pattern].filter((x) => x === '*').length;
    const mamba = [...pattern].filter((x) => x === 'M').length;
    const per = (pick(c, 'mamba_num_heads') ?? 0) * (pick(c, 'mamba_head_dim') ?? 0) * (pick(c, 'ssm_state_size') ?? 0);
    return { kind: 'hybrid', fullLayers: full, stateMB: round((per * 4 * mamba) / 1e6) };
  }
  // Jamba: one attention layer every attn_layer_period.
  const period = num(c.attn_layer_period);
  if (period && period > 1) return { kind: 'hybrid', fullLayers: Math.floor(layers / period), stateMB: 0 };
  const window = num(c.sliding_window);
  const every = num(c.sliding_window_pattern);
  if (window && every && every > 1) return { kind: 'sliding', window, globalLayers: Math.floor(layers / every) };
  void kvHeads;
  void headDim;
  return { kind: 'full' };
}

/** The shape from a GGUF header (llama.cpp's own keys, prefixed by the architecture). */
function shapeFromGguf(g: Json): Shape | string {
  const arch = typeof g['general.architecture'] === 'string' ? g['general.architecture'] : undefined;
  if (!arch) return 'the GGUF header names no architecture';
  const k = (key: string) => g[`${arch}.${key}`];
  const layers = num(k('block_count'));
  const hidden = num(k('embedding_length'));
  const heads = num(k('attention.head_count'));
  if (layers === undefined || hidden === undefined || heads === undefined)
    return 'the GGUF header has no block count, embedding length or head count';
  // Hybrid models list KV heads per layer, 0 where a layer keeps no cache.
  const perLayer = arr(k('attention.head_count_kv'))?.map((x) => num(x) ?? 0);
  const kvHeads = perLayer ? Math.max(1, ...perLayer) : (num(k('attention.head_count_kv')) ?? heads);
  const headDim = num(k('attention.key_length')) ?? hidden / heads;
  const tokens = arr(g['tokenizer.ggml.tokens']);
  const vocab = num(k('vocab_size')) ?? tokens?.length ?? 32000;
  const rank = num(k('attention.kv_lora_rank'));
  const window = num(k('attention.sliding_window'));
  const experts = num(k('expert_count'));
  const active = num(k('expert_used_count'));
  const expertWidth = num(k('expert_feed_forward_length'));
  let attention: Attention = { kind: 'full' };
  if (rank !== undefined)
    attention = { kind: 'mla', kvLoraRank: rank, ropeHeadDim: num(k('rope.dimension_count')) ?? 64 };
  else if (perLayer && perLayer.some((x) => x === 0))
    attention = { kind: 'hybrid', fullLayers: perLayer.filter((x) => x > 0).length, stateMB: 0 };
  else if (window) {
    // llama.cpp: gemma3 keeps every 6th layer global, gpt-oss every other one.
    const every =
      num(k('attention.sliding_window_pattern')) ?? (arch === 'gpt-oss' ? 2 : arch.startsWith('gemma') ? 6 : 0);
    if (every > 1) attention = { kind: 'sliding', window, globalLayers: Math.floor(layers / every) };
  }
  return {
    layers,
    hidden,
    heads,
    kvHeads,
    headDim,
    maxContext: num(k('context_length')) ?? 4096,
    vocab,
    tied: false,
    attention,
    ...moeOf(experts, active, expertWidth, hidden, layers),
    ...optional('intermediate', num(k('feed_forward_length'))),
  };
}

/**
 * A learned model as the match the verdict is built from: its quant, and where it was learned
 * (said with the answer as verdict.model.learned).
 */
export function learnedMatch(catalog: Catalog, learned: LearnedModel): ModelMatch {
  const { model, basis } = learned;
  const quant = learned.quant ? catalog.quant(learned.quant) : undefined;
  const from = basis.source === 'huggingface' ? `the Hugging Face repo ${basis.ref}` : `the Ollama tag ${basis.ref}`;
  return { model, ...(quant ? { quant } : {}), learned: { from, fetchedAt: basis.fetchedAt, read: basis.read } };
}

/** Parameters from the shape when the source gives no count: attention + gated FFN per layer + embeddings. */
function estimateParameters(s: Shape): number {
  const attention = 2 * s.hidden * s.heads * s.headDim + 2 * s.hidden * s.kvHeads * s.headDim;
  const ffn = s.moe ? s.moe.experts * s.moe.expertParams : 3 * s.hidden * (s.intermediate ?? 4 * s.hidden);
  return s.layers * (attention + ffn) + s.vocab * s.hidden * (s.tied ? 1 : 2);
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** "-00001-of-00003.gguf" parts of one quant summed; the quant read from each file name. */
function ggufSizes(
  catalog: Catalog,
  files: LearnedFacts['files'],
  quant: string | undefined,
): { fileGB: Record<string, number>; mmprojGB?: number } {
  const fileGB: Record<string, number> = {};
  let mmproj: number | undefined;
  const ids = catalog.quants.map((q) => q.id).sort((a, b) => b.length - a.length);
  for (const f of files) {
    const name = f.path.split('/').pop() ?? f.path;
    // An Ollama layer is named by its media type: the weights in the tag's quant, or the projector.
    if (/vnd\.ollama\.image\.model/.test(f.path)) {
      if (quant) fileGB[quant] = (fileGB[quant] ?? 0) + f.bytes / 1e9;
      continue;
    }
    if (!/\.gguf$/i.test(name) && !/model|projector/.test(f.path)) continue;
    if (/mmproj|projector/i.test(f.path)) {
      // The F16 projector is the one people load; keep the largest seen if names do not say.
      if (/f16|bf16/i.test(name) || mmproj === undefined) mmproj = f.bytes / 1e9;
      continue;
    }
    const id = ids.find((q) => new RegExp(`(^|[^a-z0-9])${q.replace(/_/g, '[_-]')}([^a-z0-9]|$)`, 'i').test(f.path));
    if (!id) continue;
    fileGB[id] = (fileGB[id] ?? 0) + f.bytes / 1e9;
  }
  for (const q of Object.keys(fileGB)) fileGB[q] = round(fileGB[q]!);
  return { fileGB, ...(mmproj !== undefined ? { mmprojGB: round(mmproj) } : {}) };
}

/** Refuses numbers no real model has; the message says which. */
function implausible(s: Shape, paramsB: number): string | undefined {
  if (s.layers < 1 || s.layers > 1000) return `${s.layers} layers`;
  if (s.heads < 1 || s.heads > 2048 || s.kvHeads < 1 || s.kvHeads > s.heads) return `${s.kvHeads} of ${s.heads} heads`;
  if (s.headDim < 8 || s.headDim > 2048 || !Number.isInteger(s.headDim)) return `a head size of ${s.headDim}`;
  if (s.maxContext < 256 || s.maxContext > 100_000_000) return `a context of ${s.maxContext} tokens`;
  if (!(paramsB >= 0.001 && paramsB <= 10_000)) return `${paramsB}B parameters`;
  return undefined;
}

const slug = (ref: string) =>
  ref
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/[-.]{2,}/g, '-') || 'model';

/** A model the core can size, from what a lookup learned; BAD_DATA or NOT_A_MODEL when it cannot be. */
export function learnModel(catalog: Catalog, facts: LearnedFacts): Result<LearnedModel> {
  // Facts come from outside (the Hub, a registry, a cache row): whatever shape they arrive in, the
  // answer is a value. A throw here would turn a pasted repo into "something went wrong".
  try {
    return learnFrom(catalog, {
      ...facts,
      files: (Array.isArray(facts.files) ? facts.files : []).filter(
        (f) => typeof f?.path === 'string' && Number.isFinite(f.bytes) && f.bytes > 0,
      ),
    });
  } catch (e) {
    return err('BAD_MODEL_DATA', `What was learned about this model could not be read (${(e as Error).message}).`);
  }
}

function learnFrom(catalog: Catalog, facts: LearnedFacts): Result<LearnedModel> {
  const { basis } = facts;
  const from = basis.source === 'huggingface' ? `the Hugging Face repo ${basis.ref}` : `the Ollama tag ${basis.ref}`;
  const shape = facts.gguf ? shapeFromGguf(facts.gguf) : facts.config ? shapeFromConfig(facts.config) : undefined;
  if (shape === undefined)
    return err('UNKNOWN_MODEL', `${from} has neither a config.json nor a GGUF file to read a model from.`);
  if (typeof shape === 'string') return err('BAD_MODEL_DATA', `${from}: ${shape}.`);
  const notes: string[] = [];
  // A header without tensor infos counts nothing: then the Hub's own count, if any.
  const counted = (facts.ggufParameters || undefined) ?? facts.parameters;
  if (counted === undefined) notes.push('parameters estimated from the shape (the source gives no count)');
  const parameters = counted ?? estimateParameters(shape);
  const paramsB = round(parameters / 1e9, 3);
  const bad = implausible(shape, paramsB);
  if (bad) return err('BAD_MODEL_DATA', `${from} states ${bad}, which no model has.`);
  const inactive = shape.moe
    ? (shape.moe.experts - shape.moe.activeExperts) * shape.moe.expertParams * shape.moe.moeLayers
    : 0;
  const activeParamsB = shape.moe ? round(Math.max(paramsB * 0.02, (parameters - inactive) / 1e9), 3) : paramsB;
  const quant = facts.quant ? catalog.quant(facts.quant.toUpperCase())?.id : undefined;
  const sizes = ggufSizes(catalog, facts.files, quant);
  const id = `learned-${slug(basis.ref)}`.slice(0, 120).replace(/[-.]+$/, '');
  const parsed = ModelRecordSchema.safeParse({
    id,
    name: facts.name,
    family: 'learned',
    aliases: [basis.ref.toLowerCase()],
    ollama: basis.source === 'ollama' ? [basis.ref] : [],
    huggingface: basis.source === 'huggingface' ? [basis.ref] : [],
    released: basis.fetchedAt.slice(0, 7),
    paramsB,
    activeParamsB: Math.min(activeParamsB, paramsB),
    embeddingParamsB: round((shape.vocab * shape.hidden) / 1e9, 3),
    tiedEmbeddings: shape.tied,
    layers: shape.layers,
    kvHeads: shape.kvHeads,
    headDim: shape.headDim,
    maxContext: shape.maxContext,
    attention: shape.attention,
    ...(shape.moe ? { moe: { experts: shape.moe.experts, activeExperts: shape.moe.activeExperts } } : {}),
    fileGB: Object.fromEntries(
      Object.entries(sizes.fileGB).map(([q, gb]) => [
        q,
        { value: gb, source: 'estimate', note: `file size listed by ${from}` },
      ]),
    ),
    ...(sizes.mmprojGB !== undefined
      ? { mmprojGB: { value: sizes.mmprojGB, source: 'estimate', note: `mmproj listed by ${from}` } }
      : {}),
    source: 'estimate',
    notes: [`learned from ${from} (${basis.read.join(', ')}), fetched ${basis.fetchedAt.slice(0, 10)}`, ...notes],
  });
  // What a hostile or odd source says (fractional layers, a negative window, an empty name) is
  // refused as a value, never thrown: the answer then sizes the model from its name.
  if (!parsed.success)
    return err(
      'BAD_MODEL_DATA',
      `${from} gives a shape whichgpu cannot use (${parsed.error.issues[0]!.path.join('.')}).`,
    );
  const record: ModelRecord = parsed.data;
  return ok({ model: { ...modelSpecOf(record), record }, basis, ...(quant ? { quant } : {}), notes });
}
