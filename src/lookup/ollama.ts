/**
 * An Ollama tag, read from the registry without pulling it: the manifest (the weights layer's real
 * size, the projector's), the config blob (file type, parameter size) and the GGUF header of the
 * weights blob by ranged reads. Blob URLs answer 307 to storage; the header reads follow it once
 * and then go to storage directly. The registry takes no token here.
 */
import { z } from 'zod';
import type { LearnedFacts, LearnedFile } from '../core/catalog/learned-types.js';
import { readGgufHeader } from './gguf-header.js';
import { describe, Http, statusFailure } from './http.js';
import type { LookupDeps } from './huggingface.js';
import { DEFAULT_LIMITS, failed, found, LookupFailure, type LookupResult, type LookupStats } from './lookup-types.js';

export const DEFAULT_OLLAMA_REGISTRY = 'https://registry.ollama.ai';

export const MEDIA = {
  manifest: 'application/vnd.docker.distribution.manifest.v2+json',
  model: 'application/vnd.ollama.image.model',
  projector: 'application/vnd.ollama.image.projector',
  adapter: 'application/vnd.ollama.image.adapter',
} as const;

export interface OllamaRef {
  namespace: string;
  name: string;
  tag: string;
}

const PART = /^[a-z0-9][a-z0-9._-]{0,79}$/;
const TAG = /^[a-z0-9_][a-z0-9._-]{0,127}$/;

/** "name", "name:tag", "namespace/name:tag", with or without "ollama.com/" or the registry host. */
export function parseOllamaRef(text: string): OllamaRef | undefined {
  let rest = text
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '');
  rest = rest.replace(/^(?:www\.)?(?:ollama\.com|registry\.ollama\.ai)\//, '');
  const [path, tag = 'latest', ...more] = rest.split(':');
  if (!path || more.length > 0) return undefined;
  const parts = path.split('/');
  if (parts.length > 2) return undefined;
  const [namespace, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : ['library', parts[0]!];
  if (!PART.test(namespace) || !PART.test(name) || !TAG.test(tag) || `${name}${tag}`.includes('..')) return undefined;
  return { namespace, name, tag };
}

/** "qwen3:8b" for the library, "namespace/name:tag" otherwise: as `ollama pull` takes it. */
export const ollamaRefText = (r: OllamaRef) =>
  `${r.namespace === 'library' ? '' : `${r.namespace}/`}${r.name}:${r.tag}`;

const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/);
const Layer = z.object({
  mediaType: z.string().max(200),
  digest: Digest,
  size: z
    .number()
    .int()
    .min(0)
    .max(2 ** 50),
});
const ManifestSchema = z.object({ config: Layer, layers: z.array(Layer).max(100) });
const ConfigSchema = z.object({
  model_family: z.string().max(100).optional().catch(undefined),
  model_type: z.string().max(40).optional().catch(undefined),
  file_type: z.string().max(40).optional().catch(undefined),
});

/** "30.5B" -> 30.5e9, "567M" -> 5.67e8; undefined for anything else. */
export function parameterSize(text: string | undefined): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMBT])\s*$/i.exec(text ?? '');
  if (!m) return undefined;
  const scale = { K: 1e3, M: 1e6, B: 1e9, T: 1e12 }[m[2]!.toUpperCase() as 'K' | 'M' | 'B' | 'T'];
  return Math.round(Number(m[1]) * scale);
}

/** Everything the registry says about one tag, or why not. Never throws. */
export async function lookupOllama(
  text: string,
  deps: Omit<LookupDeps, 'token' | 'endpoint'> & { registry?: string | undefined } = {},
): Promise<LookupResult> {
  const ref = parseOllamaRef(text);
  if (!ref) return failed('BAD_REF', `"${text.slice(0, 80)}" is not an Ollama tag (name:tag or namespace/name:tag)`);
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const stats: LookupStats = deps.stats ?? { requests: 0, bytes: 0, ggufBytes: 0 };
  const base = new URL(deps.registry ?? DEFAULT_OLLAMA_REGISTRY).href.replace(/\/+$/, '');
  const http = new Http({ fetch: deps.fetch, limits, signal: AbortSignal.timeout(limits.totalMs), stats });
  const fetchedAt = (deps.now ?? (() => new Date()))().toISOString();
  const refText = ollamaRefText(ref);
  try {
    const repoUrl = `${base}/v2/${ref.namespace}/${ref.name}`;
    const manifestUrl = `${repoUrl}/manifests/${ref.tag}`;
    const { reply, data } = await http.json(manifestUrl, { accept: MEDIA.manifest });
    if (reply.status !== 200) throw statusFailure(reply, `the Ollama tag ${refText}`);
    const manifest = ManifestSchema.safeParse(data);
    if (!manifest.success)
      throw new LookupFailure('BAD_DATA', `${describe(reply.url)} answered with something that is no image manifest`);
    const { layers } = manifest.data;
    const weights = layers.find((l) => l.mediaType === MEDIA.model);
    if (!weights) return failed('NOT_A_MODEL', `the Ollama tag ${refText} has no model weights layer`);
    const blob = (digest: string) => new URL(`${repoUrl}/blobs/${digest}`);
    const [config, header] = await Promise.allSettled([
      http.json(blob(manifest.data.config.digest)),
      readGgufHeader(http, blob(weights.digest), { limits, stats, expectedBytes: weights.size }),
    ]);
    if (header.status === 'rejected') throw header.reason;
    const read = ['manifest', 'GGUF header'];
    const conf =
      config.status === 'fulfilled' && config.value.reply.status === 200
        ? ConfigSchema.safeParse(config.value.data)
        : undefined;
    if (conf?.success) read.splice(1, 0, 'config blob');
    const files: LearnedFile[] = layers
      .filter((l) => l.mediaType === MEDIA.model || l.mediaType === MEDIA.projector || l.mediaType === MEDIA.adapter)
      .map((l) => ({ path: l.mediaType, bytes: l.size }));
    const parameters = parameterSize(conf?.data?.model_type);
    const quant = conf?.data?.file_type;
    const facts: LearnedFacts = {
      basis: { source: 'ollama', ref: refText, url: manifestUrl, fetchedAt, read },
      name: refText,
      ...(parameters ? { parameters } : {}),
      gguf: header.value.metadata,
      ggufParameters: header.value.parameters,
      files,
      ...(quant && /^[A-Za-z0-9_]{1,20}$/.test(quant) ? { quant: quant.toUpperCase() } : {}),
    };
    return found(facts);
  } catch (e) {
    if (e instanceof LookupFailure) return failed(e.code, e.message);
    return failed(
      'BAD_DATA',
      `reading ${refText} from the registry failed: ${String((e as Error)?.message ?? e).slice(0, 200)}`,
    );
  }
}
