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
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import {
  chipOfMachine,
  fingerprint,
  powerMachineOf,
  resolveDevice,
  type Catalog,
  type PowerPoint,
  type PowerReading,
} from '../src/core/index.js';
import { root } from './calibration-points.js';

export const powerRunsPath = join(root, 'data', 'power-runs.csv');

const RowSchema = z.object({
  device: z.string().min(1),
  activity: z.enum(['idle', 'decode', 'prefill', 'image', 'video', 'training', 'load', 'rated']),
  watts: z.coerce.number().positive(),
  scope: z.enum(['gpu', 'package', 'wall', 'spec']),
  workload: z.string(),
  runtime: z.string(),
  source: z.string().min(1),
  note: z.string(),
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
  return undefined;
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
    const stated = STATED_LIMIT.exec(row.device);
    const rating = stated
      ? { value: Number(stated[1]), source: row.source, note: 'the limit its source states' }
      : chip.powerW;
    const machine = powerMachineOf(device.record, rating);
    const idle = row.activity === 'idle' ? undefined : wallIdle.get(row.device);
    if (idle) {
      const low = Math.min(...idle);
      const high = Math.max(...idle);
      machine.idleW = { low, high, source: row.source };
    }
    const activity = row.activity as PowerReading['activity'];
    const scope = row.scope as PowerReading['scope'];
    const reading: PowerReading = {
      activity,
      watts: row.watts,
      scope,
      source: row.source,
      device: row.device,
      workload: row.workload,
    };
    const point: PowerPoint = {
      label: `${row.device} · ${row.activity} @${row.scope} · ${row.workload}`,
      machine,
      activity,
      scope,
      watts: row.watts,
    };
    const checkWhy =
      activity === 'idle' && scope === 'wall'
        ? "an idle at the wall: the machine's idle range is data, not fitted"
        : scope === 'wall' && !machine.unified && !idle
          ? "a PC's wall reading without that PC's idle: its host cannot be told apart from the card"
          : undefined;
    const holdout = parseInt(fingerprint(`${row.source}|${row.device}`), 16) % 3 === 0;
    const role = checkWhy ? 'check' : holdout ? 'holdout' : 'fit';
    runs.push({ row, deviceId: device.id, reading, point, role, ...(checkWhy ? { checkWhy } : {}) });
  }
  return { runs, skipped };
}

/** Every usable reading by catalog machine id, for a machine's own measured figures. */
export function powerReadingsByMachine(runs: PowerRun[]): Map<string, PowerReading[]> {
  const out = new Map<string, PowerReading[]>();
  for (const r of runs) out.set(r.deviceId, [...(out.get(r.deviceId) ?? []), r.reading]);
  return out;
}
