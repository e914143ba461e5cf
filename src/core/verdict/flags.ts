/**
 * Flags: facts the user should see beside the verdict. A seed conflict (a reported figure physics
 * contradicts) carries its parts as fields, so no renderer splits a sentence apart again.
 */
import type { ReportedFigure } from '../catalog/schema.js';
import { publisherOf, type Catalog, type CatalogModel, type CatalogQuant } from '../catalog/catalog.js';
import type { DeviceEvaluation } from '../physics/evaluate.js';
import type { NormalizedQuery } from '../query/query.js';
import type { ModelMatch } from '../query/resolve.js';
import type { ConflictFacts, Flag, SeedConflictFlag } from './types.js';
import { capacityMessage, conflictEstimate, powerConflictEstimate, wiredLimitMessage } from './words.js';

/** A reported figure as printed: "18 tok/s", "6-8 tok/s", or "cannot run". */
export function reportedValue(r: ReportedFigure): string {
  if (r.low === null || r.high === null) return 'cannot run';
  return r.low === r.high ? `${r.low} ${r.unit}` : `${r.low}-${r.high} ${r.unit}`;
}

function sourceTitle(catalog: Catalog, key: string) {
  const s = catalog.source('benchmarks', key);
  return s && s !== 'estimate' ? s.title : key;
}

/** The flag: its strings are the JSON contract; its facts are what renderers word (verdictJson leaves them out). */
function seedConflict(catalog: Catalog, e: DeviceEvaluation, r: ReportedFigure, estimate: string): SeedConflictFlag {
  const source = sourceTitle(catalog, r.source);
  const facts: ConflictFacts = { claimed: reportedValue(r), note: r.claim, publisher: publisherOf(source) };
  const flag = {
    kind: 'seed-conflict' as const,
    device: e.id,
    subject: r.subject,
    claim: `${facts.claimed} (${facts.note})`,
    source,
    estimate,
  };
  return { ...flag, facts };
}

/** A reported decode figure against the physics estimate for the same device, model and quant. */
export function checkDecodeClaim(catalog: Catalog, e: DeviceEvaluation, r: ReportedFigure): SeedConflictFlag | null {
  const claimsRuns = r.low !== null && r.high !== null;
  if (claimsRuns && e.fit === 'none') return seedConflict(catalog, e, r, conflictEstimate('cannot-run', e));
  if (!claimsRuns && e.fit !== 'none') return seedConflict(catalog, e, r, conflictEstimate('runs', e));
  if (claimsRuns && e.decodeBand && e.decodeTokensPerSec) {
    const disjoint = r.high! < e.decodeBand.low || r.low! > e.decodeBand.high;
    if (disjoint) return seedConflict(catalog, e, r, conflictEstimate('other-speed', e));
  }
  return null;
}

/** Reported decode figures for this model (or the phantom it stands in for) that physics contradicts. */
export function conflictFlags(
  catalog: Catalog,
  evals: DeviceEvaluation[],
  model: CatalogModel,
  quant: CatalogQuant,
  match: ModelMatch,
): Flag[] {
  const flags: Flag[] = [];
  const subjects = new Set([model.id]);
  if (match.phantom) subjects.add(match.phantom.name.toLowerCase().replace(/\s+/g, '-'));
  for (const e of evals) {
    for (const r of e.reported) {
      if (r.metric !== 'decode-tps' || !subjects.has(r.subject)) continue;
      if (r.quant !== undefined && r.quant !== quant.id) continue;
      const f = checkDecodeClaim(catalog, e, r);
      if (f) flags.push(f);
    }
  }
  return flags;
}

/**
 * A reported whole-system load figure (the seed's "725 W", "~120 W") outside the power model's
 * full-load band for that machine; the figure stays on the evaluation (`power.reported`) either way.
 */
export function powerFlags(catalog: Catalog, evals: DeviceEvaluation[]): Flag[] {
  const flags: Flag[] = [];
  for (const e of evals) {
    if (!e.power.reported?.conflict) continue;
    const r = e.reported.find((x) => x.metric === 'power-w' && x.subject === e.power.reported!.subject);
    if (r) flags.push(seedConflict(catalog, e, r, powerConflictEstimate(e)));
  }
  return flags;
}

/** One stream cannot produce the tokens a day the user asked for. */
export function capacityFlags(evals: DeviceEvaluation[], q: NormalizedQuery): Flag[] {
  if (q.tokensPerDay === null) return [];
  return evals
    .filter((e) => e.cost.meetsDailyVolume === false && e.cost.capacityTokensPerDay !== null)
    .map((e) => ({
      kind: 'capacity' as const,
      device: e.id,
      capacityTokensPerDay: Math.round(e.cost.capacityTokensPerDay!),
      requestedTokensPerDay: q.tokensPerDay!,
      message: capacityMessage(e, q),
    }));
}

/** A Mac needs its GPU memory limit raised for this, with the command that does it. */
export function wiredFlags(evals: DeviceEvaluation[]): Flag[] {
  return evals
    .filter((e) => e.memory.needsRaisedLimit && e.memory.sysctlTip)
    .map((e) => ({
      kind: 'apple-wired-limit' as const,
      device: e.id,
      command: e.memory.sysctlTip!,
      message: wiredLimitMessage(e),
    }));
}
