/**
 * `npm run calibrate`: fits the speed model on ../shared/calibration-llm-speed.csv, prints the
 * fitted values and every residual, and writes data/calibration.json for the core to use.
 *
 *   npm run calibrate               fit, print, write data/calibration.json
 *   npm run calibrate -- --check    fit and print only (exit 1 if data/calibration.json is stale)
 *   npm run calibrate -- --with-community data/community-runs.csv
 *                                   the approved community reports (npm run reports:export) too
 */
import { join } from 'node:path';
import {
  CalibrationFileSchema,
  calibrate,
  estimateOne,
  fitAttentionFactor,
  fitMlx,
  fitOffload,
  decodeTokensPerSec,
  median,
  prefillTokensPerSec,
  type OffloadParams,
  type PointResidual,
} from '../src/core/index.js';
import { loadCatalog } from '../src/catalog/load.js';
import { loadHeldOutRuns, loadPoints, root } from './calibration-points.js';
import { loadLongPromptRuns, pointOf, prefillPairsOf } from './longprompt-points.js';
import { loadOffloadRuns, type OffloadPoint } from './offload-points.js';
import { writeOrCheck } from './fit-file.js';
import { withCommunity } from './community-runs.js';

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

const catalog = loadCatalog();
// Community reports only when asked: without the flag the fit is the shared CSV's alone.
const community = withCommunity(catalog, loadPoints());
const points = community.points;
// Attention's efficiency in prefill, from prompt runs deep in the context (the fit third of the
// series in data/mlx-longprompt-runs.csv), then the prefill fit again with it.
const longPrompts = loadLongPromptRuns(catalog);
const longFit = longPrompts.runs.filter((r) => !r.holdout && r.runtime === 'llama.cpp' && r.row.metric === 'pp');
const pairs = prefillPairsOf(longFit);
// Attention and GEMM efficiency inform each other: alternate the two fits until they settle.
let result = calibrate(points);
let attentionFactor = fitAttentionFactor(
  pairs,
  longFit.map((r) => ({ input: r.input, value: r.row.value })),
  result.file,
);
for (let round = 0; round < 3; round++) {
  result = calibrate(points, attentionFactor);
  attentionFactor = fitAttentionFactor(
    pairs,
    longFit.map((r) => ({ input: r.input, value: r.row.value })),
    { ...result.file, attentionFactor },
  );
}
result = calibrate(points, attentionFactor);
// MLX, a runtime of its own: the shared CSV's MLX runs and the fit third of the long-prompt file's.
const mlxPoints = [...points, ...longPrompts.runs.filter((r) => !r.holdout && r.runtime === 'mlx').map(pointOf)].filter(
  (p) => p.family === 'mlx',
);
const mlx = fitMlx(mlxPoints, { ...result.file, attentionFactor });
const fitted = CalibrationFileSchema.parse({
  fittedAt: new Date().toISOString().slice(0, 10),
  source: `shared/calibration-llm-speed.csv${community.source}; offload: data/offload-runs.csv; attention and MLX: data/mlx-longprompt-runs.csv`,
  ...result.file,
  ...(mlx ? { runtimes: { mlx } } : {}),
});

// Offload: the host side fitted on data/offload-runs.csv decode runs, through the same estimate the
// bot makes, on top of the GPU fit above. Its held-out third and the offload rows of
// data/validation-llm-speed.csv stay out.
const offload = loadOffloadRuns(catalog);
const decodeOf = (p: OffloadPoint, o: OffloadParams) => {
  const r = estimateOne({ ...catalog, calibration: { ...fitted, ...o } }, p.query);
  return r.ok ? r.value.decodeTokensPerSec : null;
};
// A run the estimate says cannot start (its memory model is tighter than the run was) says
// nothing about the host's speed: reported, kept out of the fit.
const cannotRun = offload.points.filter(
  (p) => p.row.metric === 'tg' && decodeOf(p, { hostEfficiency: fitted.hostEfficiency, hostRoundTripMs: 0 }) === null,
);
const offloadTg = offload.points.filter((p) => p.row.metric === 'tg' && !cannotRun.includes(p));
// The host side is fitted where the GPU's share is itself fitted (CUDA): on a backend without a
// decode fit (ROCm) the GPU's time is an assumption, which the host parameters would absorb.
const gpuFitted = (p: OffloadPoint) => fitted.decode[p.query.device.backend] !== undefined;
const offloadFit = offloadTg.filter((p) => !p.holdout && gpuFitted(p));
const predictOffload = (o: OffloadParams, runs = offloadFit) => runs.map((p) => decodeOf(p, o) ?? 1e-6);
const host = fitOffload(
  offloadFit.map((p) => p.row.value),
  predictOffload,
);
const file = CalibrationFileSchema.parse({ ...fitted, ...host });

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
// MoE runs (data/calibration-inputs.json) against dense ones: a kernel or byte the model lacks shows as a bias here.
for (const [label, moe] of [
  ['dense', false],
  ['MoE', true],
] as const) {
  const rs = result.decodeResiduals.filter((x) => x.point.model.activeParamsB < x.point.model.paramsB === moe);
  const signed = median(rs.map((x) => x.error));
  console.log(`Decode ${label}: ${rs.length} runs, median signed error ${pct(signed)}`);
}
const heldOutRuns = loadHeldOutRuns();
console.log(`Held-out runs of data/calibration-inputs.json (never fitted): ${heldOutRuns.length}`);
for (const p of heldOutRuns) {
  const input = { device: p, model: p.model, weightsGB: p.weightsGB, family: p.family, depthTokens: p.depthTokens };
  const predicted =
    p.metric === 'tg'
      ? decodeTokensPerSec(input, { ...result.file, attentionFactor })
      : prefillTokensPerSec({ ...input, promptTokens: p.promptTokens ?? 512 }, { ...result.file, attentionFactor });
  console.log(
    `  ${p.device.slice(0, 40)} ${p.model.name} ${p.metric} ${p.value} est ${predicted.toFixed(1)} ${pct(predicted / p.value - 1)}`,
  );
}
console.log(
  `Displayed bands: decode x${Math.exp(r.decodeBand.low).toFixed(2)}-x${Math.exp(r.decodeBand.high).toFixed(2)}, prefill x${Math.exp(r.prefillBand.low).toFixed(2)}-x${Math.exp(r.prefillBand.high).toFixed(2)}`,
);

console.log(`\nPrefill deep in the context (${pairs.length} pairs of data/mlx-longprompt-runs.csv, deep / shallow)`);
const withAttention = { ...result.file, attentionFactor };
for (const p of pairs) {
  const predicted = prefillTokensPerSec(p.deep, withAttention) / prefillTokensPerSec(p.shallow, withAttention);
  console.log(
    `depth ${String(p.shallow.depthTokens).padStart(6)} -> ${String(p.deep.depthTokens).padStart(6)}`,
    `${p.deep.model.name.slice(0, 24).padEnd(24)} measured x${p.measuredRatio.toFixed(3)} fitted x${predicted.toFixed(3)}`,
    pct(predicted / p.measuredRatio - 1),
  );
}
for (const r of longFit.filter((r) => withAttention.prefill[r.input.device.backend]))
  console.log(
    r.label.slice(0, 96).padEnd(96),
    r.row.value.toFixed(0).padStart(6),
    prefillTokensPerSec(r.input, withAttention).toFixed(0).padStart(6),
    pct(prefillTokensPerSec(r.input, withAttention) / r.row.value - 1),
  );
console.log(`Attention runs at this share of the GEMM efficiency: ${JSON.stringify(attentionFactor)}`);

console.log(`\nMLX (${mlxPoints.length} runs): ${JSON.stringify(mlx)}`);
for (const p of mlxPoints) {
  const predicted =
    p.metric === 'tg'
      ? decodeTokensPerSec(
          { device: p, model: p.model, weightsGB: p.weightsGB, family: p.family, depthTokens: p.depthTokens },
          fitted,
        )
      : prefillTokensPerSec(
          {
            device: p,
            model: p.model,
            weightsGB: p.weightsGB,
            family: p.family,
            depthTokens: p.depthTokens,
            ...(p.promptTokens !== undefined ? { promptTokens: p.promptTokens } : {}),
          },
          fitted,
        );
  console.log(
    `${p.device.slice(0, 40).padEnd(40)} ${p.model.name.slice(0, 22).padEnd(22)} ${p.metric} d${String(p.depthTokens).padEnd(6)} ${p.value.toFixed(1).padStart(8)} ${predicted.toFixed(1).padStart(8)} ${pct(predicted / p.value - 1)}`,
  );
}

const offloadPredicted = predictOffload(host, offloadTg);
const offloadErrors = offloadTg.map((p, i) => offloadPredicted[i]! / p.row.value - 1);
console.log(
  `\nOffload decode (data/offload-runs.csv: ${offloadFit.length} runs fitted, ${offloadTg.filter((p) => p.holdout).length} held out, ${offloadTg.filter((p) => !p.holdout && !gpuFitted(p)).length} on a GPU backend without a decode fit)`,
);
offloadTg.forEach((p, i) =>
  console.log(
    p.label.slice(0, 90).padEnd(90),
    p.row.value.toFixed(2).padStart(8),
    offloadPredicted[i]!.toFixed(2).padStart(8),
    pct(offloadErrors[i]),
    p.holdout ? 'held out' : gpuFitted(p) ? 'fit' : 'not fitted (GPU backend without a decode fit)',
  ),
);
const offloadSummary = (held: boolean) => {
  const e = offloadErrors
    .filter((_, i) => (held ? offloadTg[i]!.holdout : offloadFit.includes(offloadTg[i]!)))
    .map(Math.abs);
  return e.length
    ? `median |error| ${pct(median(e))}, within 25% ${((100 * e.filter((x) => x <= 0.25).length) / e.length).toFixed(0)}% (n=${e.length})`
    : 'no runs';
};
console.log(
  `Offload fit: host efficiency ${host.hostEfficiency}, ${host.hostRoundTripMs} ms per GPU-CPU hand-over; fit ${offloadSummary(false)}; held out ${offloadSummary(true)}`,
);
console.log(`Skipped ${offload.skipped.length + cannotRun.length} offload rows:`);
const why = new Map<string, number>();
for (const s of offload.skipped) why.set(s.why, (why.get(s.why) ?? 0) + 1);
const tooSmall = 'the estimate says it cannot run (VRAM or RAM too small for the placement)';
if (cannotRun.length) why.set(tooSmall, cannotRun.length);
for (const [w, n] of why) console.log(`  ${n} x ${w}`);
for (const p of cannotRun) console.log(`    cannot run: ${p.label}`);

writeOrCheck(outPath, file, (x) => CalibrationFileSchema.parse(x));
