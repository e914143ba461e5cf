/**
 * The overview, asked without a model: the seed article's model table, each reported figure
 * checked against physics on the two devices.
 */
import type { ReportedFigure, WorkflowId } from '../catalog/schema.js';
import type { Catalog, CatalogDevice } from '../catalog/catalog.js';
import { evaluateDevice, type DeviceEvaluation } from '../physics/evaluate.js';
import { DEFAULTS, normalizedQuery, type CompareInput, type NormalizedQuery } from '../query/query.js';
import { resolveModel } from '../query/resolve.js';
import { checkDecodeClaim, reportedValue } from './flags.js';
import { costOf, sourcesFor } from './sections.js';
import type { Flag, OverviewCell, OverviewRow, Verdict, Winner } from './types.js';
import { overviewCaveat, overviewHeadline, overviewReason } from './words.js';

/** Within 10% of each other the row is a tie. */
function rowWinner(x: OverviewCell, y: OverviewCell): Winner {
  if (x.decodeTokensPerSec === null && y.decodeTokensPerSec === null) return 'neither';
  if ((x.decodeTokensPerSec ?? 0) > (y.decodeTokensPerSec ?? 0) * 1.1) return x.id;
  if ((y.decodeTokensPerSec ?? 0) > (x.decodeTokensPerSec ?? 0) * 1.1) return y.id;
  return 'tie';
}

/** One row of the table: the subject on both devices; a contradicted claim goes to `flags`. */
function overviewRow(
  catalog: Catalog,
  r: ReportedFigure,
  devices: [CatalogDevice, CatalogDevice],
  query: NormalizedQuery,
  flags: Flag[],
): OverviewRow | null {
  const m = resolveModel(catalog, r.subject);
  if (!m.ok) return null;
  const quant = catalog.quant(r.quant ?? DEFAULTS.quant)!;
  const evals = devices.map((d) => evaluateDevice(catalog, d, m.value.model, quant, query));
  const cells = evals.map((e): OverviewCell => {
    const claim = catalog
      .reportedFor(e.id)
      .find((x) => x.metric === 'decode-tps' && x.subject === r.subject && x.quant === r.quant);
    if (claim) {
      const f = checkDecodeClaim(catalog, e, claim);
      if (f) flags.push(f);
    }
    return {
      id: e.id,
      fit: e.fit,
      requiredGB: e.memory.requiredGB,
      decodeTokensPerSec: e.decodeTokensPerSec,
      decodeBand: e.decodeBand,
      reported: claim ? reportedValue(claim) : null,
    };
  });
  return {
    subject: r.subject,
    model: m.value.model.id,
    modelName: m.value.phantom ? `${m.value.phantom.name} (→ ${m.value.model.name})` : m.value.model.name,
    quant: quant.id,
    winner: rowWinner(cells[0]!, cells[1]!),
    devices: cells,
  };
}

export function overview(
  catalog: Catalog,
  input: CompareInput,
  devices: [CatalogDevice, CatalogDevice],
  workflow: WorkflowId,
): Verdict {
  const query = normalizedQuery(input, {
    model: null,
    quant: DEFAULTS.quant,
    contextTokens: 8192,
    promptTokens: 512,
    workflow,
    devices: [devices[0].id, devices[1].id],
  });
  const seen = new Set<string>();
  const rows: OverviewRow[] = [];
  const flags: Flag[] = [];
  for (const r of catalog.reported()) {
    if (r.metric !== 'decode-tps') continue;
    const key = `${r.subject}|${r.quant ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const row = overviewRow(catalog, r, devices, query, flags);
    if (row) rows.push(row);
  }
  const [a, b] = devices;
  const shown = catalog.model(rows[0]?.model ?? catalog.models[0]!.id)!;
  const evals: DeviceEvaluation[] = devices.map((d) =>
    evaluateDevice(catalog, d, shown, catalog.quant(DEFAULTS.quant)!, query),
  );
  return {
    dataVersion: catalog.dataVersion,
    query,
    model: null,
    devices: evals,
    verdict: {
      winner: 'tie',
      headline: overviewHeadline(a, b),
      reasons: rows.slice(0, 5).map((row) => overviewReason(row, devices)),
      caveats: [overviewCaveat(flags.length)],
      alsoConsider: [],
    },
    cost: costOf(evals, query),
    flags,
    overview: rows,
    sources: sourcesFor(catalog, evals),
  };
}
