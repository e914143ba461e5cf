/**
 * Fits the power-by-activity model on the fit share of data/power-runs.csv, prints every residual
 * (held-out readings predicted by the fit that never saw them), and writes
 * data/power-calibration.json, and every usable reading by machine to data/power-readings.json (the
 * verdicts' measured figures: a machine's own reading wins over the model).
 *
 *   --check    fit and print only (exit 1 if either file is stale)
 */
import { join } from 'node:path';
import {
  fitPower,
  POWER_ASSUMPTIONS,
  PowerCalibrationSchema,
  PowerReadingsFileSchema,
  powerErrorSummary,
  powerResidualsOf,
  type PowerResidual,
} from '../src/core/index.js';
import { loadCatalog } from '../src/catalog/load.js';
import { root } from './calibration-points.js';
import { loadPowerRuns, powerReadingsByMachine } from './power-points.js';
import { writeOrCheck } from './fit-file.js';

const outPath = join(root, 'data', 'power-calibration.json');
const readingsPath = join(root, 'data', 'power-readings.json');
const pct = (e: number) => `${e >= 0 ? '+' : ''}${(e * 100).toFixed(1)}%`.padStart(8);
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function print(title: string, rs: PowerResidual[]) {
  console.log(`\n${title}`);
  console.log(
    'reading'.padEnd(84),
    'rated W'.padStart(8),
    'bw share'.padStart(9),
    'busy'.padStart(5),
    'measured'.padStart(9),
    'fitted'.padStart(8),
    '   error',
  );
  for (const r of rs)
    console.log(
      r.point.label.slice(0, 84).padEnd(84),
      String(r.point.machine.chipW).padStart(8),
      (r.point.bandwidthShare === undefined ? '' : r.point.bandwidthShare.toFixed(2)).padStart(9),
      (r.point.busyShare === undefined ? '' : r.point.busyShare.toFixed(2)).padStart(5),
      r.point.watts.toFixed(1).padStart(9),
      r.predicted.toFixed(1).padStart(8),
      pct(r.error),
    );
}

const { runs, skipped } = loadPowerRuns(loadCatalog());
const pointsOf = (role: (typeof runs)[number]['role']) => runs.filter((r) => r.role === role).map((r) => r.point);
const fitPoints = pointsOf('fit');
const heldOut = pointsOf('holdout');
const { fit, perClass, aic, residuals } = fitPower(fitPoints);
const held = powerResidualsOf(heldOut, fit);
const checks = powerResidualsOf(pointsOf('check'), fit);
const classUtilisation = (u: (typeof fit.utilisation)['discrete']) => ({
  decode: { atZero: round(u.decode.atZero), perByte: round(u.decode.perByte), waiting: round(u.decode.waiting) },
  prefill: round(u.prefill),
});
const summary = (rs: PowerResidual[]) => {
  const s = powerErrorSummary(rs);
  return s && { median: round(s.median), within25: round(s.within25) };
};
const file = PowerCalibrationSchema.parse({
  fittedAt: new Date().toISOString().slice(0, 10),
  source: 'data/power-runs.csv',
  points: fitPoints.length,
  heldOut: heldOut.length,
  checks: checks.length,
  perClass,
  chipIdleShare: round(fit.chipIdleShare, 4),
  utilisation: {
    discrete: classUtilisation(fit.utilisation.discrete),
    unified: classUtilisation(fit.utilisation.unified),
  },
  typicalDecodeShare: round(fit.typicalDecodeShare),
  band: {
    discrete: { low: round(fit.band.discrete.low), high: round(fit.band.discrete.high) },
    unified: { low: round(fit.band.unified.low), high: round(fit.band.unified.high) },
  },
  assumptions: POWER_ASSUMPTIONS,
  error: { fit: summary(residuals), holdout: summary(held), check: summary(checks) },
});

print(`Fit (${residuals.length} readings)`, residuals);
print(`Held out (${held.length} readings, never seen by the fit)`, held);
print(`Checks (${checks.length} readings, neither fitted nor in the errors)`, checks);
for (const why of new Set(runs.flatMap((r) => (r.checkWhy ? [r.checkWhy] : [])))) console.log(`  check: ${why}`);
console.log('\nDecode bandwidth shares (achieved GB/s over peak):');
for (const r of runs) if (r.shareBasis) console.log(`  ${r.row.device.slice(0, 60)}: ${r.shareBasis}`);
console.log(`\nSkipped ${skipped.length} rows:`);
for (const s of skipped) console.log(`  ${s.why}: ${s.row.device} · ${s.row.activity} ${s.row.watts} W`);
console.log(
  `\nShared vs per-class utilisation, Akaike (lower wins): shared ${aic.shared.toFixed(2)}, per class ${aic.perClass.toFixed(2)} -> ${perClass ? 'per class' : 'shared'}`,
);
console.log('\nFitted power parameters');
console.log(JSON.stringify(file, null, 2));

writeOrCheck(outPath, file, (x) => PowerCalibrationSchema.parse(x));

// Held-out readings are kept: holding out is about judging the fit, and a machine's own figure is data.
const byMachine = powerReadingsByMachine(runs);
const readings = PowerReadingsFileSchema.parse({
  fittedAt: file.fittedAt,
  source: 'data/power-runs.csv',
  machines: Object.fromEntries([...byMachine.keys()].sort().map((id) => [id, byMachine.get(id)!])),
});
console.log(`\nReadings by machine: ${byMachine.size} machines, ${runs.length} readings`);
writeOrCheck(readingsPath, readings, (x) => PowerReadingsFileSchema.parse(x));
