/**
 * `npm run calibrate`: every fit, in order, each printing its residuals (the LLM speed model with
 * offload, diffusion, serving, fine-tuning, power). Arguments reach every fit, so
 * `npm run calibrate -- --check` checks them all and exits 1 if any stored file is stale.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './calibration-points.js';

const FITS = [
  'calibrate.ts',
  'calibrate-diffusion.ts',
  'calibrate-serving.ts',
  'calibrate-finetune.ts',
  'calibrate-power.ts',
];

let failed = 0;
for (const fit of FITS) {
  console.log(`\n=== ${fit} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', fit), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
