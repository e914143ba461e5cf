/**
 * `npm run calibrate`: fits the speed model on ../shared/calibration-llm-speed.csv, prints the
 * fitted values and every residual, and writes data/calibration.json for the core to use.
 *
 *   npm run calibrate               fit, print, write data/calibration.json
 *   npm run calibrate -- --check    fit and print only (exit 1 if data/calibration.json is stale)
 */
import { join } from 'node:path';
import { CalibrationFileSchema, calibrate, type PointResidual } from '../src/core/index.js';
import { loadPoints, root } from './calibration-points.js';
import { writeOrCheck } from './fit-file.js';

const outPath = join(root, 'data', 'calibration.json');

function pct(e: number | undefined) {
  if (e === undefined) return '     -';
  return `${e >= 0 ? '+' : ''}${(e * 100).toFixed(1)}%`.padStart(7);
}

function printResiduals(title: string, rs: PointResidual[]) {
  console.log(`\n${title}`);
  console.log(
    'device'.padEnd(48),
    'model'.padEnd(22),
    'quant'.padEnd(8),
    'depth'.padStart(6),
    'measured'.padStart(9),
    'fitted'.padStart(9),
    '  error',
    'holdout',
  );
  for (const r of rs) {
    const p = r.point;
    console.log(
      p.device.slice(0, 48).padEnd(48),
      p.model.name.slice(0, 22).padEnd(22),
      p.family.padEnd(8),
      String(p.depthTokens).padStart(6),
      p.value.toFixed(1).padStart(9),
      r.predicted.toFixed(1).padStart(9),
      pct(r.error),
      pct(r.holdoutError),
    );
  }
}

const points = loadPoints();
const result = calibrate(points);
const file = CalibrationFileSchema.parse({
  fittedAt: new Date().toISOString().slice(0, 10),
  source: 'shared/calibration-llm-speed.csv',
  ...result.file,
});

printResiduals(
  'Decode (tokens/s): fitted in-sample, and holdout = predicted by a fit that never saw that device',
  result.decodeResiduals,
);
printResiduals('Prefill (tokens/s)', result.prefillResiduals);
console.log('\nFitted parameters');
console.log(JSON.stringify({ decode: file.decode, prefill: file.prefill, kvReadFactor: file.kvReadFactor }, null, 2));
const r = file.residuals;
console.log(
  `\nDecode error on ${result.decodeResiduals.length} runs: median ${r.decodeMedianAbsPct}% | p90 ${r.decodeP90AbsPct}% | within 30%: ${r.decodeWithin30Pct}%`,
);
console.log(
  `Decode error, leave-one-device-out: median ${r.decodeHoldoutMedianAbsPct}% | within 30%: ${r.decodeHoldoutWithin30Pct}%`,
);
console.log(`Prefill error on ${result.prefillResiduals.length} runs: median ${r.prefillMedianAbsPct}%`);
console.log(
  `Displayed bands: decode x${Math.exp(r.decodeBand.low).toFixed(2)}-x${Math.exp(r.decodeBand.high).toFixed(2)}, prefill x${Math.exp(r.prefillBand.low).toFixed(2)}-x${Math.exp(r.prefillBand.high).toFixed(2)}`,
);

writeOrCheck(outPath, file, (x) => CalibrationFileSchema.parse(x));
