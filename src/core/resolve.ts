/**
 * Names to catalog entries: model references as people paste them (catalog names, Ollama tags,
 * GGUF file names, Hugging Face ids), quantization names and device names.
 */
import type { PhantomModel } from './catalog-schema.js';
import type { Catalog, CatalogDevice, CatalogModel, CatalogQuant } from './catalog.js';
import { err, ok, type Result } from './result.js';

/** Lowercase, no separators: "Llama-3.3 70B" and "llama3.3:70b" meet at "llama3.370b". */
export function compact(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9.]/g, '');
}

/** Words that decorate a reference without naming a different model. */
const NOISE = /\b(instruct|it|chat|gguf|hf|latest|base|meta|mlx|community|dwq|qat|v\d+\.\d+-?gguf)\b/g;

function stripReference(text: string): string {
  let s = text.trim().toLowerCase();
  s = s.replace(/\.gguf$/, '');
  s = s.replace(/^hf\.co\//, '');
  if (s.includes('/')) s = s.slice(s.lastIndexOf('/') + 1);
  return s;
}

function quantPattern(catalog: Catalog): RegExp {
  const names = catalog.quants.flatMap((q) => [q.id, ...q.record.aliases]).map((n) => n.toLowerCase());
  const escaped = [...new Set(names)]
    .sort((a, b) => b.length - a.length)
    .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[-_ ]/g, '[-_ ]?'));
  return new RegExp(`(?:^|[-_ :.])(${escaped.join('|')})(?=$|[-_ :.])`, 'i');
}

export function resolveQuant(catalog: Catalog, text: string): Result<CatalogQuant> {
  const key = compact(text).replace(/\./g, '');
  for (const q of catalog.quants) {
    if ([q.id, ...q.record.aliases].some((a) => compact(a).replace(/\./g, '') === key)) return ok(q);
  }
  return err('UNKNOWN_QUANT', `I don't know the quantization "${text}".`, {
    hint: `Try one of: ${catalog.quants.map((q) => q.id).join(', ')}.`,
  });
}

export interface ModelMatch {
  model: CatalogModel;
  /** A quantization named inside the reference ("...-Q8_0.gguf", "llama3.1:70b-q8_0"). */
  quant?: CatalogQuant;
  /** The reference named a model that does not exist; `model` is its nearest real neighbour. */
  phantom?: PhantomModel;
}

function keysOf(m: CatalogModel): string[] {
  const r = m.record;
  return [m.id, m.name, ...r.aliases, ...r.ollama, ...r.huggingface.map((h) => h.slice(h.lastIndexOf('/') + 1))].map(
    (k) => compact(stripReference(k).replace(NOISE, ' ')),
  );
}

export function resolveModel(catalog: Catalog, text: string): Result<ModelMatch> {
  const direct = catalog.model(text.trim().toLowerCase());
  if (direct) return ok({ model: direct });

  let s = stripReference(text);
  let quant: CatalogQuant | undefined;
  const qm = quantPattern(catalog).exec(s);
  if (qm && qm[1]) {
    const q = resolveQuant(catalog, qm[1]);
    if (q.ok) {
      quant = q.value;
      s = (s.slice(0, qm.index) + s.slice(qm.index + qm[0].length)).trim();
    }
  }
  const key = compact(s.replace(NOISE, ' '));
  if (key === '') return err('UNKNOWN_MODEL', 'Which model? The reference was empty.', { hint: exampleHint(catalog) });

  for (const m of catalog.models) {
    if (keysOf(m).includes(key)) return ok({ model: m, ...(quant ? { quant } : {}) });
  }
  for (const p of catalog.files.models.phantoms) {
    if ([p.name, ...p.aliases].some((a) => compact(a) === key)) {
      const nearest = catalog.model(p.nearest[0]!);
      if (nearest) return ok({ model: nearest, phantom: p, ...(quant ? { quant } : {}) });
    }
  }
  const candidates = suggestModels(catalog, key);
  return err('UNKNOWN_MODEL', `I don't know the model "${text.trim().slice(0, 80)}".`, {
    candidates: candidates.map((c) => c.name),
    hint: candidates[0] ? `Did you mean ${candidates[0].name}? Try model:${candidates[0].id}` : exampleHint(catalog),
  });
}

function exampleHint(catalog: Catalog) {
  const ex = catalog.models.slice(0, 3).map((m) => m.id);
  return `Try a catalog id such as ${ex.join(', ')}, an Ollama tag like qwen2.5-coder:32b, or a Hugging Face id.`;
}

/** Models sharing the most characters in order with the key (cheap, good enough for hints). */
export function suggestModels(catalog: Catalog, key: string, limit = 3): CatalogModel[] {
  const score = (a: string, b: string) => {
    // Bigram overlap (Dice coefficient).
    const grams = (s: string) => {
      const out = new Map<string, number>();
      for (let i = 0; i < s.length - 1; i++) out.set(s.slice(i, i + 2), (out.get(s.slice(i, i + 2)) ?? 0) + 1);
      return out;
    };
    const ga = grams(a);
    const gb = grams(b);
    let inter = 0;
    for (const [g, n] of ga) inter += Math.min(n, gb.get(g) ?? 0);
    return (2 * inter) / Math.max(1, a.length - 1 + b.length - 1);
  };
  return catalog.models
    .map((m) => ({ m, s: Math.max(...keysOf(m).map((k) => score(k, key))) }))
    .filter((x) => x.s > 0.3)
    .sort((a, b) => b.s - a.s)
    .slice(0, limit)
    .map((x) => x.m);
}

export function resolveDevice(catalog: Catalog, text: string): Result<CatalogDevice> {
  const key = compact(text);
  for (const d of catalog.devices) {
    if ([d.id, d.name, d.shortName, ...d.record.aliases].some((a) => compact(a) === key)) return ok(d);
  }
  return err('UNKNOWN_DEVICE', `I don't know the device "${text.slice(0, 60)}".`, {
    hint: `Try one of: ${catalog.devices.map((d) => d.id).join(', ')}.`,
  });
}
