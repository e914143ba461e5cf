/**
 * The one entry point for a live model lookup: MODEL_LOOKUP first, then the store's cache, then the
 * Hub or the registry, then the cache again. A found model is kept 7 days and a "not found" (or "not
 * a model") an hour, shared by every process on the store; gated repos, timeouts and upstream
 * failures are not kept, so the next question asks again. Lookups of one reference at the same time
 * share one request.
 */
import type { LearnedFacts } from '../core/catalog/learned-types.js';
import type { LearnedRow } from '../store/learned-models.js';
import { parseHfRef, lookupHuggingFace, DEFAULT_HF_ENDPOINT, type LookupDeps } from './huggingface.js';
import { DEFAULT_OLLAMA_REGISTRY, lookupOllama, ollamaRefText, parseOllamaRef } from './ollama.js';
import { failed, type LookupError, type LookupResult } from './lookup-types.js';

export const FOUND_TTL_MS = 7 * 86_400_000;
export const NOT_FOUND_TTL_MS = 3_600_000;
/** Rows past this are not cached (the lookup still answers). */
export const MAX_CACHED_CHARS = 256 * 1024;

/** What the cache needs of the store (Store has it; a shared PostgreSQL store can too). */
export interface LearnedCache {
  readLearned(source: LearnedRow['source'], ref: string, now?: Date): Promise<LearnedRow | undefined>;
  saveLearned(row: LearnedRow): Promise<boolean>;
}

export interface LookupConfig {
  HF_ENDPOINT?: string | undefined;
  HF_TOKEN?: string | undefined;
  OLLAMA_REGISTRY_URL?: string | undefined;
  MODEL_LOOKUP?: 'on' | 'off' | undefined;
}

export interface ModelLookupDeps extends Omit<LookupDeps, 'endpoint' | 'token'> {
  config: LookupConfig;
  cache?: LearnedCache | undefined;
}

export type LookupTarget =
  | { source: 'huggingface'; key: string }
  | { source: 'ollama'; key: string }
  | { source: undefined; error: LookupError };

/**
 * Which source a reference is for, and its cache key: a Hub URL or "org/repo" is the Hub;
 * "name", "name:tag", "namespace/name:tag" or an ollama.com URL is the registry.
 */
export function lookupTarget(text: string): LookupTarget {
  const t = text.trim();
  const hubHost = /^(?:https?:\/\/)?(?:www\.)?(?:huggingface\.co|hf\.co)\//i.test(t);
  const ollamaHost = /^(?:https?:\/\/)?(?:www\.)?(?:ollama\.com|registry\.ollama\.ai)\//i.test(t);
  if (hubHost || (!ollamaHost && t.includes('/') && !t.includes(':'))) {
    const hf = parseHfRef(t);
    if (!hf.ok) return { source: undefined, error: { code: hf.code, message: hf.message } };
    const { repo, quant, file } = hf.ref;
    return {
      source: 'huggingface',
      key: `${repo.toLowerCase()}${quant ? `:${quant.toUpperCase()}` : ''}${file ? `@${file}` : ''}`,
    };
  }
  const ollama = parseOllamaRef(t);
  if (!ollama)
    return {
      source: undefined,
      error: { code: 'BAD_REF', message: `"${t.slice(0, 80)}" is no Hugging Face repo id, URL or Ollama tag` },
    };
  return { source: 'ollama', key: ollamaRefText(ollama) };
}

const inFlight = new Map<string, Promise<LookupResult>>();

/** What is known about `ref`: from the cache, else the Hub or the registry (within ~2.5 s). Never throws. */
export async function lookupModel(ref: string, deps: ModelLookupDeps): Promise<LookupResult> {
  if (deps.config.MODEL_LOOKUP === 'off')
    return failed('OFF', 'model lookup is off (MODEL_LOOKUP=off): only the built-in catalog is known');
  const target = lookupTarget(ref);
  if (target.source === undefined) return { ok: false, error: target.error };
  const now = deps.now ?? (() => new Date());
  const cached = await readCache(deps.cache, target.source, target.key, now());
  if (cached) return cached;
  const where = target.source === 'huggingface' ? deps.config.HF_ENDPOINT : deps.config.OLLAMA_REGISTRY_URL;
  const flightKey = `${target.source}|${where ?? ''}|${target.key}`;
  const running = inFlight.get(flightKey);
  if (running) return running;
  const work = ask(ref, target.source, deps)
    .then(async (result) => {
      await writeCache(deps.cache, target.source, target.key, result, now());
      return result;
    })
    .finally(() => inFlight.delete(flightKey));
  inFlight.set(flightKey, work);
  return work;
}

function ask(ref: string, source: 'huggingface' | 'ollama', deps: ModelLookupDeps): Promise<LookupResult> {
  const common = { fetch: deps.fetch, limits: deps.limits, now: deps.now, stats: deps.stats };
  return source === 'huggingface'
    ? lookupHuggingFace(ref, {
        ...common,
        endpoint: deps.config.HF_ENDPOINT ?? DEFAULT_HF_ENDPOINT,
        token: deps.config.HF_TOKEN,
      })
    : lookupOllama(ref, { ...common, registry: deps.config.OLLAMA_REGISTRY_URL ?? DEFAULT_OLLAMA_REGISTRY });
}

async function readCache(
  cache: LearnedCache | undefined,
  source: LearnedRow['source'],
  key: string,
  now: Date,
): Promise<LookupResult | undefined> {
  let row: LearnedRow | undefined;
  try {
    row = await cache?.readLearned(source, key, now);
  } catch {
    return undefined;
  }
  if (!row) return undefined;
  try {
    const value = JSON.parse(row.json) as unknown;
    if (row.status === 'not_found') {
      const e = value as LookupError;
      if (typeof e?.message === 'string' && (e.code === 'NOT_FOUND' || e.code === 'NOT_A_MODEL'))
        return { ok: false, error: { code: e.code, message: e.message } };
      return undefined;
    }
    const facts = value as LearnedFacts;
    if (facts && typeof facts === 'object' && facts.basis && Array.isArray(facts.files))
      return { ok: true, value: facts };
  } catch {
    // A row that does not parse is as good as none: asked again and replaced.
  }
  return undefined;
}

async function writeCache(
  cache: LearnedCache | undefined,
  source: LearnedRow['source'],
  key: string,
  result: LookupResult,
  now: Date,
): Promise<void> {
  if (!cache) return;
  const keep = result.ok
    ? { status: 'found' as const, ttl: FOUND_TTL_MS, json: JSON.stringify(result.value) }
    : result.error.code === 'NOT_FOUND' || result.error.code === 'NOT_A_MODEL'
      ? { status: 'not_found' as const, ttl: NOT_FOUND_TTL_MS, json: JSON.stringify(result.error) }
      : undefined;
  if (!keep || keep.json.length > MAX_CACHED_CHARS) return;
  try {
    await cache.saveLearned({
      source,
      ref: key,
      status: keep.status,
      json: keep.json,
      fetchedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + keep.ttl).toISOString(),
    });
  } catch {
    // The answer goes out uncached; the next question asks again.
  }
}
