/**
 * The end of every `npm run calibrate` fit: with `--check`, say whether the stored file is what the
 * fit just produced (the date aside) and exit 1 when it is stale; otherwise write it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { root } from './calibration-points.js';

export function writeOrCheck<T extends { fittedAt: string }>(outPath: string, file: T, parse: (x: unknown) => T): void {
  const name = relative(root, outPath);
  const { fittedAt: _new, ...comparable } = file;
  if (process.argv.includes('--check')) {
    const current = existsSync(outPath) ? parse(JSON.parse(readFileSync(outPath, 'utf8'))) : undefined;
    const { fittedAt: _old, ...was } = current ?? { fittedAt: '' };
    const same = JSON.stringify(was) === JSON.stringify(comparable);
    console.log(same ? `\n${name} is up to date.` : `\n${name} is stale: run npm run calibrate.`);
    if (!same) process.exitCode = 1;
    return;
  }
  writeFileSync(outPath, `${JSON.stringify(file, null, 2)}\n`);
  console.log(`\nWrote ${outPath}`);
}
