/**
 * Which pasted reference a lookup should learn: a Hugging Face repo ("Qwen/Qwen3-Next-80B-A3B",
 * "hf.co/unsloth/GLM-4.6-GGUF:Q4_K_M", a huggingface.co URL) or an Ollama tag ("qwen3:30b",
 * "ollama run library/gpt-oss:20b", an ollama.com URL) that the catalog cannot size exactly.
 * Pure: the edge decides whether to fetch, and hands back what it learned to `ask`.
 */
import type { Catalog } from '../catalog/catalog.js';
import { resolveModel } from '../query/resolve.js';

export interface LookupTarget {
  source: 'huggingface' | 'ollama';
  /** "org/repo" or "namespace/name:tag" (namespace "library" and tag "latest" when not said). */
  ref: string;
  /** The quant the reference names ("hf.co/org/repo:Q4_K_M"). */
  quant?: string;
}

const HF_URL =
  /^(?:https?:\/\/)?(?:www\.)?(?:huggingface\.co|hf\.co)\/([A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*)(?::([\w.-]+))?/i;
const OLLAMA_URL =
  /^(?:https?:\/\/)?(?:www\.)?ollama\.com\/(?:library\/)?([a-z0-9][\w.-]*(?:\/[a-z0-9][\w.-]*)?)(?::([\w.-]+))?/i;
/** "org/Repo-7B-Instruct": a repo id has a letter-and-digit shape, never a path of several folders. */
const REPO_ID = /^([A-Za-z0-9][\w.-]{0,95})\/([A-Za-z0-9][\w.-]{0,95})$/;
/** "qwen3:30b", "hf.co/..." aside; "10:30" and "x:y" words are not tags. */
const TAG = /^([a-z0-9][\w.-]*(?:\/[a-z0-9][\w.-]*)?):([\w.-]+)$/i;

const words = (text: string) =>
  text
    .split(/\s+/)
    .map((w) => w.replace(/^[("'`<[]+|[)"'`>\].,;!?]+$/g, ''))
    .filter((w) => w.length >= 3 && w.length <= 200);

/** A normalized Ollama ref: "qwen3" -> "library/qwen3:latest". */
const ollamaRef = (name: string, tag?: string) => `${name.includes('/') ? name : `library/${name}`}:${tag ?? 'latest'}`;

/** Known exactly: the catalog has it under this reference (so no lookup is needed). */
function known(catalog: Catalog, reference: string): boolean {
  const r = resolveModel(catalog, reference);
  return r.ok && !r.value.estimated && !r.value.phantom;
}

/** The first pasted reference in the text that the catalog does not know, or null. */
export function lookupTargetOf(catalog: Catalog, text: string): LookupTarget | null {
  const ws = words(text.slice(0, 4000));
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    const after = (ws[i - 1] ?? '').toLowerCase();
    const hf = HF_URL.exec(w);
    // A dataset or a Space is no model.
    if (hf && /^(datasets|spaces)\//i.test(hf[1]!)) continue;
    if (hf) {
      const ref = hf[1]!.replace(/\.git$/, '');
      if (!known(catalog, ref)) return { source: 'huggingface', ref, ...(hf[2] ? { quant: hf[2] } : {}) };
      continue;
    }
    const ol = OLLAMA_URL.exec(w);
    if (ol) {
      const ref = ollamaRef(ol[1]!.toLowerCase(), ol[2]);
      if (!known(catalog, `${ol[1]}${ol[2] ? `:${ol[2]}` : ''}`)) return { source: 'ollama', ref };
      continue;
    }
    // "ollama run qwen3" / "ollama pull gpt-oss:20b": what follows is a tag, even without one.
    if ((after === 'run' || after === 'pull') && (ws[i - 2] ?? '').toLowerCase() === 'ollama') {
      const m = /^([a-z0-9][\w.-]*(?:\/[a-z0-9][\w.-]*)?)(?::([\w.-]+))?$/i.exec(w);
      if (m && !known(catalog, w)) return { source: 'ollama', ref: ollamaRef(m[1]!.toLowerCase(), m[2]) };
      continue;
    }
    const tag = TAG.exec(w);
    if (tag && /[a-z]/i.test(tag[1]!) && !/^\d+$/.test(tag[1]!) && !/^https?$/i.test(tag[1]!)) {
      if (!known(catalog, w)) return { source: 'ollama', ref: ollamaRef(tag[1]!.toLowerCase(), tag[2]) };
      continue;
    }
    const repo = REPO_ID.exec(w);
    if (repo && /\d/.test(repo[2]!) && /[a-z]/i.test(repo[2]!) && !/\.(gguf|bin|safetensors|json|py|md)$/i.test(w)) {
      if (!known(catalog, w)) return { source: 'huggingface', ref: w };
    }
  }
  return null;
}
