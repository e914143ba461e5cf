/**
 * `npm run reports:export [-- --out FILE]`: the approved community reports of the store the
 * environment names (DATABASE_URL, else the SQLite file at DATABASE_PATH) in the calibration
 * CSV's format, one row per measured figure (default data/community-runs.csv). The fit includes
 * them only when asked: `npm run calibrate -- --with-community data/community-runs.csv`.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCatalog } from '../src/catalog/load.js';
import { loadConfig } from '../src/config.js';
import { openStore } from '../src/store/open.js';
import { root } from './calibration-points.js';
import { communityRows, toCsv } from './community-runs.js';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = resolve(values.out ?? resolve(root, 'data', 'community-runs.csv'));
const config = loadConfig();
const store = await openStore(config);
try {
  const reports = await store.exportReports();
  const rows = communityRows(loadCatalog(), reports);
  writeFileSync(out, toCsv(rows));
  process.stdout.write(
    `Wrote ${rows.length} rows from ${reports.length} approved reports of ${store.where} to ${out}.\n`,
  );
} finally {
  await store.close();
}
