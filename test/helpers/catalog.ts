import { loadCatalog } from '../../src/catalog/load.js';
import type { Catalog } from '../../src/core/catalog/catalog.js';
import { plan } from '../../src/core/plan/plan.js';
import type { Plan } from '../../src/core/plan/types.js';
import { compare } from '../../src/core/verdict/compare.js';
import type { Verdict } from '../../src/core/verdict/types.js';

export const catalog: Catalog = loadCatalog();

export function device(id: string) {
  const d = catalog.device(id);
  if (!d) throw new Error(`no device ${id}`);
  return d;
}
export function model(id: string) {
  const m = catalog.model(id);
  if (!m) throw new Error(`no model ${id}`);
  return m;
}
export function quant(id: string) {
  const q = catalog.quant(id);
  if (!q) throw new Error(`no quant ${id}`);
  return q;
}

/**
 * The verdicts a model can get, for renderer limit tests: every workflow but training, against ten
 * devices for chat and two for the rest, with a daily volume and an API price (the longest replies).
 */
export function* everyVerdictFor(modelId: string): Generator<Verdict> {
  const workflows = ['chat', 'coding', 'rag', 'image', 'video', 'fine-tune', 'serving'] as const;
  const others = catalog.devices.filter((d) => d.id !== 'rtx-5090').map((d) => d.id);
  for (const workflow of workflows) {
    for (const against of others.slice(0, workflow === 'chat' ? 10 : 2)) {
      const r = compare(catalog, { model: modelId, workflow, against, tokensPerDay: 5_000_000, apiPricePerMTok: 2 });
      if (!r.ok) throw new Error(r.error.message);
      yield r.value;
    }
  }
}

/** The verdict for a compare input, or a throw naming the error (tests state valid inputs). */
export function verdict(input: Record<string, unknown>): Verdict {
  const r = compare(catalog, input);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

/** The plan for a plan input, or a throw naming the error. */
export function planned(input: Record<string, unknown>): Plan {
  const r = plan(catalog, input);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}
