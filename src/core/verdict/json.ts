/**
 * The verdict as `compare --json` prints it (a contract scripts rely on). A seed conflict keeps
 * `claim`, `source` and `estimate` as strings there; the `facts` the renderers word it from are an
 * ordinary field of the object, left out of the JSON here rather than hidden on the object.
 */
import type { Verdict } from './types.js';

/** A JSON.stringify replacer that drops a seed conflict's `facts`, at any depth. */
export function verdictReplacer(this: unknown, key: string, value: unknown): unknown {
  return key === 'facts' && (this as { kind?: unknown } | null)?.kind === 'seed-conflict' ? undefined : value;
}

export function verdictJson(v: Verdict, indent?: number): string {
  return JSON.stringify(v, verdictReplacer, indent);
}
