/**
 * Decode speed against context depth, one line per machine with its band. The verdict holds decode
 * at one depth (the prompt's); the curve comes from the core's own decode model (physics/speed.ts),
 * called at depths from empty to the full window with the verdict's weights, placement, quant and
 * KV cache type. A curve that does not pass through the verdict's own figure (a model the catalog
 * cannot rebuild) is not drawn: the panel then shows the verdict's figures alone.
 */
import {
  decodeBand,
  decodeTokensPerSec,
  fmt,
  resolveModel,
  type Band,
  type Catalog,
  type DeviceEvaluation,
  type ModelSpec,
  type Verdict,
} from '../../core/index.js';
import { dotPanel } from './dots.js';
import { linePanel, type LineSeries, type Vertical } from './lines.js';
import { colorOf, INK, niceTicks, type Panel } from './svg.js';

export interface DepthPoint {
  depth: number;
  tps: number;
  band: Band;
}

/** Depths sampled: evenly, and again densely near the start, where a sliding window bends the curve. */
const POINTS = 32;

function modelOf(v: Verdict, catalog: Catalog): ModelSpec | undefined {
  if (!v.model) return undefined;
  const direct = catalog.model(v.model.id);
  if (direct) return direct;
  const r = v.query.model ? resolveModel(catalog, v.query.model) : undefined;
  return r?.ok ? r.value.model : undefined;
}

/**
 * Decode at depths from 0 to the verdict's context for each machine that runs the model, keyed by
 * machine id; undefined when the curves cannot be rebuilt to match the verdict's own figures.
 */
export function depthCurves(v: Verdict, catalog: Catalog, model?: ModelSpec): Map<string, DepthPoint[]> | undefined {
  const spec = model ?? modelOf(v, catalog);
  if (!spec) return undefined;
  const params = catalog.calibration;
  const curves = new Map<string, DepthPoint[]>();
  for (const e of v.devices) {
    if (e.decodeTokensPerSec === null) continue;
    const device = catalog.device(e.id);
    const quant = catalog.quant(e.quant);
    if (!device || !quant) return undefined;
    const at = (depth: number) =>
      decodeTokensPerSec(
        {
          device,
          model: spec,
          weightsGB: e.memory.weightsGB,
          family: quant.family,
          depthTokens: depth,
          kvType: v.query.kvCache,
          ...(e.memory.placement ? { placement: e.memory.placement } : {}),
        },
        params,
      );
    if (Math.abs(at(v.query.depthTokens) / e.decodeTokensPerSec - 1) > 1e-9) return undefined;
    const depths = depthsTo(v.query.contextTokens);
    curves.set(
      e.id,
      depths.map((depth) => {
        const tps = at(depth);
        return { depth, tps, band: decodeBand(tps, params, e.fit === 'offload') };
      }),
    );
  }
  return curves.size ? curves : undefined;
}

function depthsTo(ctx: number): number[] {
  const at = new Set<number>();
  for (let i = 0; i <= POINTS; i++) {
    at.add(Math.round((ctx * i) / POINTS));
    at.add(Math.round(ctx * (i / POINTS) ** 3));
  }
  return [...at].sort((a, b) => a - b);
}

/** "0", "8k", "1M". */
export const kLabel = (t: number): string =>
  t === 0
    ? '0'
    : t >= 1 << 20 && t % (1 << 20) === 0
      ? `${t / (1 << 20)}M`
      : t < 1024
        ? `${Math.round((t / 1024) * 10) / 10}k`
        : `${Math.round(t / 1024)}k`;

/** Ticks at a power-of-two number of k tokens, at most five intervals to the context. */
export function depthTicks(ctx: number): number[] {
  let step = 256;
  while (Math.ceil(ctx / step) > 5) step *= 2;
  return Array.from({ length: Math.ceil(ctx / step) + 1 }, (_, i) => i * step);
}

const legendName = (e: DeviceEvaluation) =>
  e.fit === 'offload' ? `${e.shortName} (offload)` : e.fit === 'none' ? `${e.shortName}: does not fit` : e.shortName;

/** Where one machine's line crosses another's: the depth, and who leads past it. */
function crossings(v: Verdict, curves: Map<string, DepthPoint[]>): Vertical[] {
  const runs = v.devices.filter((e) => curves.has(e.id));
  const out: Vertical[] = [];
  for (let i = 0; i < runs.length; i++)
    for (let j = i + 1; j < runs.length; j++) {
      const a = curves.get(runs[i]!.id)!;
      const b = curves.get(runs[j]!.id)!;
      for (let k = 1; k < a.length; k++) {
        const d0 = a[k - 1]!.tps - b[k - 1]!.tps;
        const d1 = a[k]!.tps - b[k]!.tps;
        if (d0 === 0 || Math.sign(d0) === Math.sign(d1)) continue;
        const depth = a[k - 1]!.depth + ((a[k]!.depth - a[k - 1]!.depth) * d0) / (d0 - d1);
        const leader = d1 > 0 ? runs[i]! : runs[j]!;
        out.push({ x: depth, color: INK, label: `${leader.shortName} leads past ~${kLabel(depth)}` });
        break;
      }
    }
  return out;
}

export function decodeDepthPanel(v: Verdict, catalog: Catalog, model?: ModelSpec): Panel | undefined {
  const runs = v.devices.filter((e) => e.decodeTokensPerSec !== null);
  if (!runs.length) return undefined;
  const curves = depthCurves(v, catalog, model);
  if (!curves) return decodeAtDepthPanel(v);
  const ctx = v.query.contextTokens;
  const depth = v.query.depthTokens;
  const series: LineSeries[] = [];
  const figures: string[] = [];
  const said: string[] = [];
  v.devices.forEach((e, i) => {
    const c = curves.get(e.id);
    if (!c || e.decodeTokensPerSec === null) return;
    const here = `~${fmt.tps(e.decodeTokensPerSec)}`;
    const full = fmt.tps(c.at(-1)!.tps);
    figures.push(here, full);
    said.push(`${e.shortName} ${here} tok/s at ${kLabel(depth)} falling to ~${full} at ${kLabel(ctx)}`);
    series.push({
      color: colorOf(i),
      points: c.map((p) => ({ x: p.depth, y: p.tps, low: p.band.low, high: p.band.high })),
      marks: [{ x: depth, y: e.decodeTokensPerSec, label: here }],
      endLabel: full,
    });
  });
  const cross = crossings(v, curves);
  const cannot = v.devices.filter((e) => e.decodeTokensPerSec === null);
  return linePanel({
    title: `Decode speed as the ${kLabel(ctx)} context fills`,
    legend: v.devices.map((e, i) => ({ label: legendName(e), color: colorOf(i) })),
    yUnit: 'tok/s',
    xLabel: 'tokens already in context (depth)',
    xTicks: depthTicks(ctx),
    xFormat: kLabel,
    yFormat: (y) => fmt.tps(y),
    series,
    verticals: cross,
    notes: [
      `dot: this question's depth (${kLabel(depth)}); shading: the model's band`,
      ...cannot.map((e) => `${e.shortName}: does not fit (needs ${fmt.gb(e.memory.requiredGB)} GB), no line`),
    ],
    alt: `Decode speed against context depth: ${said.join('; ')}${cross.length ? `; ${cross.map((c) => c.label).join('; ')}` : ''}.`,
    figures,
  });
}

/** The verdict's own decode figures at the question's depth, when no curve can be drawn. */
export function decodeAtDepthPanel(v: Verdict): Panel | undefined {
  const runs = v.devices.filter((e) => e.decodeTokensPerSec !== null);
  if (!runs.length) return undefined;
  const max = Math.max(...runs.map((e) => e.decodeBand?.high ?? e.decodeTokensPerSec!));
  const ticks = niceTicks(max, 4);
  const figures = runs.map((e) => `~${fmt.tps(e.decodeTokensPerSec!)} tok/s`);
  return dotPanel({
    title: `Decode speed at ${kLabel(v.query.depthTokens)} of context`,
    legend: v.devices.map((e, i) => ({ label: legendName(e), color: colorOf(i) })),
    rows: [
      {
        label: v.model ? `${v.model.name} ${v.query.quant}` : v.query.quant,
        cells: v.devices.map((e, i) => ({
          color: colorOf(i),
          value: e.decodeTokensPerSec,
          band: e.decodeBand,
          text: e.decodeTokensPerSec === null ? 'does not fit' : `~${fmt.tps(e.decodeTokensPerSec)} tok/s`,
        })),
      },
    ],
    axis: { kind: 'linear', min: 0, max: ticks.at(-1)!, ticks, format: (x) => fmt.tps(x), label: 'decode tok/s' },
    notes: ['whisker: the model band'],
    alt: `Decode speed: ${v.devices
      .map((e) =>
        e.decodeTokensPerSec === null
          ? `${e.shortName} does not fit`
          : `${e.shortName} ~${fmt.tps(e.decodeTokensPerSec)} tok/s`,
      )
      .join(', ')}.`,
    figures,
  });
}
