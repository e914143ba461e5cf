/**
 * Reads data/power-runs.csv (published power readings by activity, each with its source) into power
 * points, joined with the machine's record and its chip's rating from the catalog. Shared by the
 * power calibration (fit) and, later, `npm run validate` (held out) and the catalog (a machine's own
 * readings).
 *
 * A reading is held out of the fit when a hash of its source and device says so (a third of them,
 * fixed): the fit never sees them, whoever adds rows later. Two kinds are only checks: an idle at
 * the wall (the machine's idle range is data, no fitted parameter moves it), and a discrete PC's
 * wall reading without that PC's own idle (a build idles at 40-110 W, which would be read as the card).
 *
 * A decode reading carries the share of its chip's peak bandwidth the run achieved: tokens/s x GB
 * read per token (the weights a token streams, from the row's file size or the catalog's size of the
 * model and quant it names) / the chip's bandwidth. The row's own tokens/s when stated; else the
 * catalog's speed estimate for that model on that machine. A decode row naming no model is skipped.
 *
 * A decode row that states its tokens/s also says how much of each token's time the chip worked:
 * its speed over the decode model's estimate for the same model on the same machine (a runtime
 * that keeps the chip fed, llama.cpp's), at most 1. A host-bound runtime (PyTorch eager, a
 * scheduler step per token) runs well below it and leaves the chip waiting the rest. A run within
 * the estimate's own spread (x0.88 and up) cannot be told from its error and counts as busy. A
 * compiled runtime (llama.cpp, Ollama, vLLM: CUDA graphs, no Python between kernels) that runs
 * slower than the stream does on-chip work the stream leaves out (a hybrid model's recurrent layers,
 * attention), so its remaining time is read as compute, not waiting.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import {
  chipOfMachine,
  decodeBandwidthShare,
  decodeBytesPerTokenGB,
  decodeTokensPerSec,
  fingerprint,
  powerMachineOf,
  resolveDevice,
  resolveModel,
  weightsGB,
  type Catalog,
  type CatalogDevice,
  type DecodeGap,
  type PowerPoint,
  type PowerReading,
} from '../src/core/index.js';
import { root } from './calibration-points.js';

export const powerRunsPath = join(root, 'data', 'power-runs.csv');

const round3 = (x: number) => Math.round(x * 1000) / 1000;

const RowSchema = z.object({
  device: z.string().min(1),
  activity: z.enum(['idle', 'decode', 'prefill', 'image', 'video', 'training', 'load', 'rated']),
  watts: z.coerce.number().positive(),
  scope: z.enum(['gpu', 'package', 'wall', 'spec']),
  workload: z.string(),
  runtime: z.string(),
  source: z.string().min(1),
  note: z.string(),
  /** Decode: the model run (a catalog name, or a size such as "Qwen3.6-27B"), with its quant. */
  model: z.string().default(''),
  /** Decode: the model file's size in GB when its source (or a cited listing) states it. */
  weights_gb: z.union([z.literal(''), z.coerce.number().positive()]).default(''),
  /** Decode: the run's own tokens/s when stated. */
  tokens_per_sec: z.union([z.literal(''), z.coerce.number().positive()]).default(''),
  /** The power limit the run states it ran under (a user cap, a BIOS SPL), W: its chip's rating for that run. */
  limit_w: z.union([z.literal(''), z.coerce.number().positive()]).default(''),
});
type Row = z.infer<typeof RowSchema>;

export interface PowerRun {
  row: Row;
  deviceId: string;
  reading: PowerReading;
  point: PowerPoint;
  /**
   * fit: seen by the fit; holdout: a third, never seen; check: compared with the model but neither
   * fitted nor counted in its errors, because no fitted parameter can explain it (`checkWhy`).
   */
  role: 'fit' | 'holdout' | 'check';
  checkWhy?: string;
  /** Decode: how its bandwidth share was had (tokens/s stated or estimated, file size or catalog size). */
  shareBasis?: string;
}

export interface SkippedPowerRow {
  row: Row;
  why: string;
}

// The core needs a machine's chip too (its rating, for a verdict's power); one definition, there.
export { chipOfMachine };

/** A card's own limit where its source names it ("370 W stock limit", "stock ~390 W board limit"). */
const STATED_LIMIT = /~?(\d{2,4}) W (?:stock|board)/;

/**
 * Readings that are not what the model predicts. Spec rows give a rating, not a draw; Apple's 'Max'
 * is a CPU+GPU stress test (the machine's ceiling, not an AI workload); speculative decoding turns
 * decode into verify batches of compute; a raised cap is not the card as sold.
 */
function skipReason(row: Row): string | undefined {
  if (row.activity === 'rated' || row.scope === 'spec') return 'a rating (spec), not a reading';
  if (/doubtful|secondary report/i.test(row.note)) return 'marked doubtful or second-hand in its note';
  if (/not an AI workload|not LLM/i.test(`${row.workload} ${row.note}`))
    return "a vendor's CPU+GPU stress test, not an AI workload (the machine's ceiling)";
  if (row.activity === 'decode' && /\bMTP\b|speculative/i.test(`${row.workload} ${row.note}`))
    return 'speculative decoding: its verify batches are compute, not plain decode';
  if (/cap raised/i.test(row.note)) return "power cap raised above the card's stock limit";
  if (row.scope === 'gpu' && /^Apple\b/i.test(row.device))
    return "an Apple GPU-only reading (powermetrics 'GPU Power'): it leaves out DRAM and the fabric (m4-max-studio-gpu-power, data/machines/apple.json: a Mac Studio M4 Max GPU load raised DC power by 179 W), so it is neither the package nor the wall";
  if (row.scope === 'package' && /^Apple\b/i.test(row.device))
    return "an Apple in-OS reading (powermetrics 'Combined Power' = CPU + GPU + ANE): it leaves out DRAM, fans and the supply, so it is neither the package the rating holds nor the wall the product reports";
  return undefined;
}

/** Runtimes that leave the chip waiting on Python between kernels (eager PyTorch, transformers' generate). */
const HOST_BOUND_RUNTIME = /transformers|pytorch|eager/i;

/** The decode estimate's low band on held-out runs (x0.88-x1.16): slower than this is a gap, not an error. */
const DECODE_ESTIMATE_LOW = 0.88;

/** Tokens shortly into a benchmark's generation: the KV cache a short decode reads (small next to the weights). */
const BENCH_DEPTH_TOKENS = 256;

/** A decode row's achieved share of peak bandwidth, or why it cannot be had. */
function decodeShareOf(
  catalog: Catalog,
  device: CatalogDevice,
  row: Row,
): { share: number; busy?: number; basis: string } | { why: string } {
  if (!row.model) return { why: 'a decode reading naming no model: its bandwidth share cannot be had' };
  const found = resolveModel(catalog, row.model);
  if (!found.ok) return { why: `model "${row.model}" not resolved` };
  const { model, quant } = found.value;
  const fileGB = row.weights_gb === '' ? (quant ? weightsGB(model, quant).gb : undefined) : row.weights_gb;
  if (fileGB === undefined) return { why: `no file size for "${row.model}" (no quant named, none stated)` };
  const family = quant?.family ?? 'k-quant';
  const gapFree = decodeTokensPerSec(
    { device, model, weightsGB: fileGB, family, depthTokens: BENCH_DEPTH_TOKENS },
    catalog.calibration,
  );
  const tps = row.tokens_per_sec === '' ? gapFree : row.tokens_per_sec;
  const busy =
    row.tokens_per_sec !== '' && gapFree && gapFree > 0
      ? Math.min(1, tps / (DECODE_ESTIMATE_LOW * gapFree))
      : undefined;
  const bytes = decodeBytesPerTokenGB(model, fileGB, family, BENCH_DEPTH_TOKENS);
  const share = decodeBandwidthShare(tps, bytes, device.bandwidthGBs);
  if (share === undefined) return { why: 'no bandwidth share (no speed or bandwidth)' };
  const basis =
    `${tps.toFixed(1)} t/s ${row.tokens_per_sec === '' ? 'estimated' : 'stated'} x ${bytes.toFixed(2)} GB/token ` +
    `(${model.id}${model.architectureEstimated ? ', layout estimated' : ''}, file ${fileGB.toFixed(1)} GB ` +
    `${row.weights_gb === '' ? 'from the catalog' : 'stated'}) / ${device.bandwidthGBs} GB/s` +
    (busy !== undefined && gapFree ? `; busy ${busy.toFixed(2)} (estimate ${gapFree.toFixed(1)} t/s)` : '');
  return { share, basis, ...(busy !== undefined && busy < 1 ? { busy } : {}) };
}

export function loadPowerRuns(catalog: Catalog): { runs: PowerRun[]; skipped: SkippedPowerRow[] } {
  const raw = parse(readFileSync(powerRunsPath, 'utf8'), { columns: true, skip_empty_lines: true }) as unknown[];
  const rows = raw.map((r) => RowSchema.parse(r));
  const runs: PowerRun[] = [];
  const skipped: SkippedPowerRow[] = [];
  // A machine's own idle at the wall, when published, is the base its wall readings stand on.
  const wallIdle = new Map<string, number[]>();
  for (const row of rows)
    if (row.activity === 'idle' && row.scope === 'wall' && !skipReason(row))
      wallIdle.set(row.device, [...(wallIdle.get(row.device) ?? []), row.watts]);

  for (const row of rows) {
    const why = skipReason(row);
    if (why) {
      skipped.push({ row, why });
      continue;
    }
    const found = resolveDevice(catalog, row.device);
    if (!found.ok) {
      skipped.push({ row, why: 'device not in the catalog' });
      continue;
    }
    const device = found.value;
    const chip = chipOfMachine(catalog, device.id);
    if (!chip) {
      skipped.push({ row, why: 'no chip rating for the machine' });
      continue;
    }
    const stated = row.limit_w !== '' ? row.limit_w : Number(STATED_LIMIT.exec(row.device)?.[1] ?? NaN);
    const rating = Number.isFinite(stated)
      ? { value: stated, source: row.source, note: 'the limit its source states' }
      : chip.powerW;
    let decode: { share: number; busy?: number; basis: string } | undefined;
    if (row.activity === 'decode') {
      const got = decodeShareOf(catalog, device, row);
      if ('why' in got) {
        skipped.push({ row, why: got.why });
        continue;
      }
      decode = got;
    }
    const machine = powerMachineOf(device.record, rating, [], device);
    const idle = row.activity === 'idle' ? undefined : wallIdle.get(row.device);
    if (idle) {
      const low = Math.min(...idle);
      const high = Math.max(...idle);
      machine.idleW = { low, high, source: row.source };
    }
    const gapDraw: DecodeGap = HOST_BOUND_RUNTIME.test(row.runtime) ? 'waiting' : 'compute';
    const activity = row.activity as PowerReading['activity'];
    const scope = row.scope as PowerReading['scope'];
    const reading: PowerReading = {
      activity,
      watts: row.watts,
      scope,
      source: row.source,
      device: row.device,
      workload: row.workload,
      ...(decode ? { bandwidthShare: round3(decode.share) } : {}),
      ...(decode?.busy !== undefined ? { busyShare: round3(decode.busy), gapDraw } : {}),
    };
    const point: PowerPoint = {
      label: `${row.device} · ${row.activity} @${row.scope} · ${row.workload}`,
      machine,
      activity,
      scope,
      watts: row.watts,
      ...(decode ? { bandwidthShare: round3(decode.share) } : {}),
      ...(decode?.busy !== undefined ? { busyShare: round3(decode.busy), gapDraw } : {}),
    };
    const checkWhy =
      activity === 'idle' && scope === 'wall'
        ? "an idle at the wall: the machine's idle range is data, not fitted"
        : scope === 'wall' && !machine.unified && !idle
          ? "a PC's wall reading without that PC's idle: its host cannot be told apart from the card"
          : undefined;
    const holdout = parseInt(fingerprint(`${row.source}|${row.device}`), 16) % 3 === 0;
    const role = checkWhy ? 'check' : holdout ? 'holdout' : 'fit';
    runs.push({
      row,
      deviceId: device.id,
      reading,
      point,
      role,
      ...(checkWhy ? { checkWhy } : {}),
      ...(decode ? { shareBasis: decode.basis } : {}),
    });
  }
  return { runs, skipped };
}

/** Every usable reading by catalog machine id, for a machine's own measured figures. */
export function powerReadingsByMachine(runs: PowerRun[]): Map<string, PowerReading[]> {
  const out = new Map<string, PowerReading[]>();
  for (const r of runs) out.set(r.deviceId, [...(out.get(r.deviceId) ?? []), r.reading]);
  return out;
}
