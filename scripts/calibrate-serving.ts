/**
 * Fits the serving model (several users at once) on the fit share of data/serving-runs.csv, prints
 * every residual (held-out runs predicted by the fit that never saw them) and every skipped run with
 * its reason, and writes data/serving-calibration.json.
 *
 *   --check    fit and print only (exit 1 if data/serving-calibration.json is stale)
 */
import { join } from 'node:path';
import {
  ServingCalibrationSchema,
  fitServing,
  median,
  servingResidualsOf,
  servingStepParts,
  type ServingFit,
  type ServingResidual,
} from '../src/core/index.js';
import { loadCatalog } from '../src/catalog/load.js';
import { root } from './calibration-points.js';
import { loadServingRuns } from './serving-points.js';
import { writeOrCheck } from './fit-file.js';

const outPath = join(root, 'data', 'serving-calibration.json');
const pct = (e: number) => `${e >= 0 ? '+' : ''}${(e * 100).toFixed(1)}%`.padStart(8);
const ms = (s: number) => (s * 1000).toFixed(1).padStart(6);

const catalog = loadCatalog();
const speed = catalog.calibration;

function print(title: string, rs: ServingResidual[], fit: ServingFit) {
  console.log(`\n${title}`);
  console.log(
    'run'.padEnd(64),
    'measured'.padStart(9),
    'fitted'.padStart(8),
    '   error',
    '  step ms: stream fixed compute',
  );
  for (const r of rs) {
    const parts = servingStepParts(r.point.input, r.point.concurrency, speed, fit);
    console.log(
      r.point.label.slice(0, 64).padEnd(64),
      r.point.aggregateTokensPerSec.toFixed(1).padStart(9),
      r.predicted.toFixed(1).padStart(8),
      pct(r.error),
      `  ${ms(parts.memory)} ${ms(parts.fixed)} ${ms(parts.compute)}`,
    );
  }
}

const { runs, skipped } = loadServingRuns(catalog);
const fitRuns = runs.filter((r) => !r.holdout).map((r) => r.point);
const heldOut = runs.filter((r) => r.holdout).map((r) => r.point);
const { fit, residuals } = fitServing(fitRuns, speed);
const held = servingResidualsOf(heldOut, speed, fit);

// Machines never seen: each device's runs predicted by a fit on every other device's runs.
const deviceOf = (r: (typeof runs)[number]) => `${r.row.source}|${r.row.device}`;
const deviceOut = [...new Set(runs.map(deviceOf))].flatMap((device) => {
  const others = runs.filter((r) => deviceOf(r) !== device).map((r) => r.point);
  const own = runs.filter((r) => deviceOf(r) === device).map((r) => r.point);
  return others.length ? servingResidualsOf(own, speed, fitServing(others, speed).fit) : [];
});
const abs = (rs: ServingResidual[]) => rs.map((r) => Math.abs(r.error));
const within25 = (rs: ServingResidual[]) => abs(rs).filter((e) => e <= 0.25).length / rs.length;
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const roundAll = (o: Partial<Record<string, number>>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v ?? 0)]));
const file = ServingCalibrationSchema.parse({
  fittedAt: new Date().toISOString().slice(0, 10),
  source: 'data/serving-runs.csv',
  points: fitRuns.length,
  computeEfficiency: roundAll(fit.computeEfficiency),
  streamFactor: roundAll(fit.streamFactor),
  band: { low: round(fit.band.low, 3), high: round(fit.band.high, 3) },
  residuals: {
    fitMedianAbs: round(median(abs(residuals)), 3),
    fitWithin25: round(within25(residuals), 3),
    holdoutMedianAbs: held.length ? round(median(abs(held)), 3) : null,
    holdoutWithin25: held.length ? round(within25(held), 3) : null,
    holdoutPoints: held.length,
    deviceOutMedianAbs: round(median(abs(deviceOut)), 3),
    deviceOutWithin25: round(within25(deviceOut), 3),
  },
});

print(`Fit (${residuals.length} runs)`, residuals, fit);
print(`Held out (${held.length} runs, never seen by the fit)`, held, fit);
console.log(`\nEach device predicted by a fit on the other devices' runs (${deviceOut.length} runs)`);
for (const r of deviceOut) console.log(r.point.label.slice(0, 64).padEnd(64), pct(r.error));
console.log(`\nSkipped ${skipped.length} runs:`);
for (const s of skipped)
  console.log(`  ${s.row.device.slice(0, 32)} · ${s.row.model} · B=${s.row.concurrency}: ${s.why}`);
console.log('\nFitted serving parameters');
console.log(JSON.stringify(file, null, 2));

writeOrCheck(outPath, file, (x) => ServingCalibrationSchema.parse(x));
