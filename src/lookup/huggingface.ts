/**
 * A Hugging Face repo, read without downloading weights: model info (the parameter count), the file
 * tree with LFS sizes (@huggingface/hub's listFiles), config.json when there is one, and for a GGUF
 * repo the header of the chosen quant's first file by ranged reads (@huggingface/gguf). Model info,
 * tree and config.json go out together, the header after them: two round trips plus the header's.
 * HF_TOKEN goes only to HF_ENDPOINT's origin (checked at every redirect hop), never to the CDN.
 */
import { listFiles } from '@huggingface/hub';
import { z } from 'zod';
import type { LearnedFacts, LearnedFile } from '../core/catalog/learned-types.js';
import { chooseQuant, quantGroups } from './gguf-files.js';
import { readGgufHeader } from './gguf-header.js';
import { describe, Http, statusFailure, type HttpReply } from './http.js';
import {
  DEFAULT_LIMITS,
  failed,
  found,
  LookupFailure,
  type LookupLimits,
  type LookupResult,
  type LookupStats,
} from './lookup-types.js';

export const DEFAULT_HF_ENDPOINT = 'https://huggingface.co';

export interface HfRef {
  /** "org/repo" */
  repo: string;
  /** The ":Q4_K_M" of "hf.co/org/repo:Q4_K_M". */
  quant?: string;
  /** A file named by a blob/resolve URL. */
  file?: string;
}

export interface LookupDeps {
  /** HF_ENDPOINT (default the public Hub). */
  endpoint?: string | undefined;
  /** HF_TOKEN: sent to the endpoint's origin only. */
  token?: string | undefined;
  fetch?: typeof fetch | undefined;
  limits?: Partial<LookupLimits> | undefined;
  now?: (() => Date) | undefined;
  /** Filled with what went over the wire. */
  stats?: LookupStats | undefined;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;
const validName = (s: string) => NAME.test(s) && !s.includes('..') && !s.endsWith('.git');

/**
 * "org/repo", "https://huggingface.co/org/repo[/tree|blob|resolve/rev/file]", "hf.co/org/repo:Q4_K_M";
 * a dataset or Space URL is NOT_A_MODEL, anything else BAD_REF.
 */
export function parseHfRef(
  text: string,
): { ok: true; ref: HfRef } | { ok: false; code: 'BAD_REF' | 'NOT_A_MODEL'; message: string } {
  const bad = {
    ok: false as const,
    code: 'BAD_REF' as const,
    message: `"${text.slice(0, 80)}" is not a Hugging Face repo id (org/name) or URL`,
  };
  let rest = text.trim().replace(/^https?:\/\//i, '');
  const host = /^(?:www\.)?(?:huggingface\.co|hf\.co)\//i.exec(rest);
  if (host) rest = rest.slice(host[0].length);
  rest = rest.split(/[?#]/)[0]!.replace(/\/+$/, '');
  const parts = rest.split('/');
  if (host && (parts[0] === 'datasets' || parts[0] === 'spaces'))
    return {
      ok: false,
      code: 'NOT_A_MODEL',
      message: `${parts.slice(1, 3).join('/')} is a Hugging Face ${parts[0] === 'datasets' ? 'dataset' : 'Space'}, not a model`,
    };
  if (host && parts[0] === 'models') parts.shift();
  if (parts.length < 2) return bad;
  const [org, nameTag, kind, , ...file] = parts as [string, string, ...string[]];
  const [name, quant, ...more] = nameTag.split(':');
  if (!validName(org) || !name || !validName(name) || more.length > 0) return bad;
  if (quant !== undefined && !/^[A-Za-z0-9_.-]{1,40}$/.test(quant)) return bad;
  if (parts.length > 2 && !(host && (kind === 'tree' || kind === 'blob' || kind === 'resolve') && parts.length >= 4))
    return bad;
  const path =
    (kind === 'blob' || kind === 'resolve') && file.length ? file.map(decodeURIComponent).join('/') : undefined;
  if (path && (path.includes('..') || path.length > 500)) return bad;
  return {
    ok: true,
    ref: { repo: `${org}/${name}`, ...(quant ? { quant } : {}), ...(path ? { file: path } : {}) },
  };
}

const ModelInfoSchema = z.object({
  id: z.string().max(200).optional().catch(undefined),
  gated: z
    .union([z.literal(false), z.string().max(20)])
    .optional()
    .catch(undefined),
  pipeline_tag: z.string().max(100).optional().catch(undefined),
  safetensors: z
    .object({ total: z.number().optional().catch(undefined) })
    .optional()
    .catch(undefined),
  gguf: z
    .object({ total: z.number().optional().catch(undefined) })
    .optional()
    .catch(undefined),
});

/** Weights and the files beside them that size a model; README, images and the like are left out. */
const WEIGHT_FILE = /\.(gguf|safetensors|bin|pt|pth|ckpt|onnx)$/i;
const MAX_FILES = 2000;
/** Tree entries read at most (a repo of a million files is a dataset in disguise). */
const MAX_ENTRIES = 20_000;
/** 1 PiB: a larger file is a lie. */
const MAX_FILE_BYTES = 2 ** 50;

const plausibleSize = (n: unknown): n is number =>
  typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= MAX_FILE_BYTES;

/** Everything about one repo the Hub will say, or why not. Never throws. */
export async function lookupHuggingFace(text: string, deps: LookupDeps = {}): Promise<LookupResult> {
  const parsed = parseHfRef(text);
  if (!parsed.ok) return failed(parsed.code, parsed.message);
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const stats = deps.stats ?? { requests: 0, bytes: 0, ggufBytes: 0 };
  const endpoint = new URL(deps.endpoint ?? DEFAULT_HF_ENDPOINT);
  const base = endpoint.href.replace(/\/+$/, '');
  const token = deps.token;
  const http = new Http({
    fetch: deps.fetch,
    limits,
    signal: AbortSignal.timeout(limits.totalMs),
    stats,
    authFor: (url) => (token && url.origin === endpoint.origin ? `Bearer ${token}` : undefined),
  });
  try {
    return await learn(parsed.ref, { http, base, limits, stats, token, now: deps.now ?? (() => new Date()) });
  } catch (e) {
    if (e instanceof LookupFailure) return failed(e.code, e.message);
    return failed(
      'BAD_DATA',
      `reading ${parsed.ref.repo} from the Hub failed: ${String((e as Error)?.message ?? e).slice(0, 200)}`,
    );
  }
}

interface Ctx {
  http: Http;
  base: string;
  limits: LookupLimits;
  stats: LookupStats;
  token: string | undefined;
  now: () => Date;
}

async function learn(ref: HfRef, c: Ctx): Promise<LookupResult> {
  const { repo } = ref;
  const fetchedAt = c.now().toISOString();
  const [info, tree, config] = await Promise.allSettled([modelInfo(repo, c), fileTree(repo, c), configJson(repo, c)]);
  if (info.status === 'rejected') {
    const e = info.reason as unknown;
    if (e instanceof LookupFailure && e.code === 'NOT_FOUND' && (await isDataset(repo, c)))
      return failed('NOT_A_MODEL', `${repo} is a Hugging Face dataset, not a model`);
    throw e;
  }
  // A gated repo shows its info and files to anyone; its config.json answers 401/403.
  if (config.status === 'rejected') {
    const e = config.reason as unknown;
    if (e instanceof LookupFailure && e.code === 'GATED') throw gated(repo, c.token);
    if (tree.status === 'rejected') throw tree.reason;
    throw e;
  }
  if (tree.status === 'rejected') {
    const e = tree.reason as unknown;
    if (e instanceof LookupFailure && e.code === 'GATED') throw gated(repo, c.token);
    // Without sizes a config still sizes the model from its shape.
    if (!config.value) throw e;
  }
  const files = tree.status === 'fulfilled' ? tree.value : [];
  const read = ['model info'];
  if (tree.status === 'fulfilled') read.push('file sizes');
  if (config.value) read.push('config.json');
  const groups = quantGroups(files);
  const parameters = info.value.safetensors?.total ?? info.value.gguf?.total;
  const facts: LearnedFacts = {
    basis: { source: 'huggingface', ref: repo, url: `${c.base}/${repo}`, fetchedAt, read },
    name: repo.split('/')[1]!,
    ...(parameters !== undefined && Number.isFinite(parameters) && parameters > 0 ? { parameters } : {}),
    ...(config.value ? { config: config.value } : {}),
    files,
  };
  const named = ref.file ?? ref.quant;
  if (groups.length > 0 && (!config.value || named)) {
    const pick = chooseQuant(groups, ref);
    if (!pick) {
      const have = groups.map((g) => g.quant).join(', ');
      return failed('NOT_FOUND', `${repo} has no GGUF file for ${named} (it has ${have.slice(0, 300)})`);
    }
    const first = pick.paths[0]!;
    try {
      const header = await readGgufHeader(c.http, resolveUrl(c.base, repo, first), {
        limits: c.limits,
        stats: c.stats,
        expectedBytes: files.find((f) => f.path === first)?.bytes,
      });
      facts.gguf = header.metadata;
      facts.ggufParameters = header.parameters;
      read.push(`GGUF header of ${first}`);
    } catch (e) {
      if (e instanceof LookupFailure && e.code === 'GATED') throw gated(repo, c.token);
      // A config still says what the model is; without one the header was all there was.
      if (!config.value) throw e;
    }
    if (ref.quant || ref.file) facts.quant = pick.quant.toUpperCase();
  } else if (ref.file && !config.value) {
    return failed('NOT_FOUND', `${repo} has no GGUF file ${ref.file}`);
  }
  if (!facts.config && !facts.gguf)
    return failed(
      'NOT_A_MODEL',
      `${repo} has neither a config.json nor a GGUF file (asked ${c.base.replace(/^https?:\/\//, '')})`,
    );
  return found(facts);
}

const gated = (repo: string, token: string | undefined) =>
  new LookupFailure(
    'GATED',
    token
      ? `${repo} is gated and HF_TOKEN has no access to it: accept its terms on the repo page`
      : `${repo} is gated or private: set HF_TOKEN to a token that has accepted its terms`,
  );

const resolveUrl = (base: string, repo: string, path: string) =>
  new URL(`${base}/${repo}/resolve/main/${path.split('/').map(encodeURIComponent).join('/')}`);

/** The Hub says why in X-Error-Code; an unknown or private repo is 401 RepoNotFound to a caller without a token. */
function hubFailure(reply: HttpReply, what: string): LookupFailure {
  const code = reply.headers.get('x-error-code');
  if (code === 'RepoNotFound' || code === 'EntryNotFound' || code === 'RevisionNotFound')
    return new LookupFailure('NOT_FOUND', `${what} was not found on ${reply.url.host} (or it is private)`);
  if (code === 'GatedRepo') return new LookupFailure('GATED', `${what} is gated`);
  return statusFailure(reply, what);
}

async function modelInfo(repo: string, c: Ctx): Promise<z.infer<typeof ModelInfoSchema>> {
  const { reply, data } = await c.http.json(`${c.base}/api/models/${repo}`);
  if (reply.status !== 200) throw hubFailure(reply, `the model ${repo}`);
  const info = ModelInfoSchema.safeParse(data);
  if (!info.success || typeof data !== 'object' || data === null || Array.isArray(data))
    throw new LookupFailure('BAD_DATA', `${describe(reply.url)} answered with something that is no model info`);
  return info.data;
}

async function fileTree(repo: string, c: Ctx): Promise<LearnedFile[]> {
  const files: LearnedFile[] = [];
  let seen = 0;
  for await (const entry of listFiles({
    repo,
    recursive: true,
    hubUrl: c.base,
    fetch: libraryFetch(c, `the files of ${repo}`),
  })) {
    if (++seen > MAX_ENTRIES) break;
    const e = entry as Partial<typeof entry> | null;
    if (!e || typeof e !== 'object' || e.type !== 'file' || typeof e.path !== 'string' || e.path.length > 500) continue;
    const bytes = e.lfs && typeof e.lfs === 'object' ? e.lfs.size : e.size;
    if (!WEIGHT_FILE.test(e.path) || !plausibleSize(bytes)) continue;
    files.push({ path: e.path, bytes });
    if (files.length >= MAX_FILES) break;
  }
  return files;
}

/** config.json as an object; undefined when the repo has none. */
async function configJson(repo: string, c: Ctx): Promise<Record<string, unknown> | undefined> {
  const { reply, data } = await c.http.json(`${c.base}/${repo}/resolve/main/config.json`);
  if (reply.status === 404 && reply.headers.get('x-error-code') !== 'RepoNotFound') return undefined;
  if (reply.status !== 200) throw hubFailure(reply, `config.json of ${repo}`);
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new LookupFailure('BAD_DATA', `config.json of ${repo} is not a JSON object`);
  return data as Record<string, unknown>;
}

async function isDataset(repo: string, c: Ctx): Promise<boolean> {
  try {
    return (await c.http.json(`${c.base}/api/datasets/${repo}`)).reply.status === 200;
  } catch {
    return false;
  }
}

/** A fetch for @huggingface/hub: through Http (deadline, cap, token rule), a non-200 thrown as our failure. */
function libraryFetch(c: Ctx, what: string): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' || input instanceof URL ? input : input.url;
    const headers = Object.fromEntries(new Headers(init?.headers));
    // The library adds its own Authorization when given a token; ours is given per hop by Http.
    delete headers.authorization;
    const reply = await c.http.get(url, { cap: c.limits.jsonBytes, headers });
    if (reply.status !== 200) throw hubFailure(reply, what);
    const link = reply.headers.get('link');
    return new Response(reply.body, {
      status: 200,
      headers: { 'content-type': 'application/json', ...(link ? { link } : {}) },
    });
  }) as typeof fetch;
}
