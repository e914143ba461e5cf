/**
 * `npm run reports:export` (issue 18): a store's approved community reports in the calibration
 * CSV's format, one row per measured figure, sourced by report id; and `calibrate
 * --with-community` reading them back as calibration points (opt-in: without the flag, nothing).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CSV_HEADER, loadCommunityPoints, withCommunity } from '../../scripts/community-runs.js';
import { SqliteStore, type NewReport } from '../../src/store/store.js';
import { catalog } from '../helpers/catalog.js';
import { newReport } from '../helpers/stores.js';

const root = join(import.meta.dirname, '..', '..');
let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'whichgpu-export-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A decode-only report (no prompt or prefill figure), as a llama-bench tg line gives. */
const report = (extra: Partial<NewReport>): NewReport =>
  newReport({ promptTokens: null, decodeTokensPerSec: 150, prefillTokensPerSec: null, pasted: '...', ...extra });

describe('npm run reports:export', () => {
  it('writes the approved reports of a store, one row per figure, with the report id as source', async () => {
    const path = join(dir, 'db.sqlite');
    const store = SqliteStore.open(path);
    const at = new Date('2026-03-01T10:00:00Z');
    const [a, b] = await store.addReports(
      [
        report({ promptTokens: 512, prefillTokensPerSec: 11000 }),
        report({
          platform: 'slack',
          serverId: 'T9',
          device: 'mac-studio-m4-max-128gb',
          quant: 'MLX-4bit',
          runtime: 'mlx',
          runtimeVersion: null,
          depthTokens: 4096,
          decodeTokensPerSec: 80.5,
        }),
        report({ decodeTokensPerSec: 999 }),
      ],
      at,
    );
    await store.reviewReport('discord', 'g1', a!.id, 'approved', 'mod', new Date('2026-03-02T00:00:00Z'));
    await store.reviewReport('slack', 'T9', b!.id, 'approved', 'mod', new Date('2026-03-03T00:00:00Z'));
    await store.close();

    const out = join(dir, 'community-runs.csv');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts', 'reports-export.ts'), '--out', out],
      { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_PATH: path } },
    );
    expect(stdout).toMatch(/Wrote 3 rows from 2 approved reports of .*db\.sqlite/);
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe(CSV_HEADER.join(','));
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.device, r.backend, r.model, r.quant, r.metric, r.context, r.value, r.source])).toEqual([
      [
        'rtx-4090',
        'llama.cpp CUDA',
        'llama-3.1-8b',
        'Q4_K_M',
        'tg',
        'tg @ d512',
        '150',
        `whichgpu community report #${a!.id} (discord:g1, 2026-03-01)`,
      ],
      [
        'rtx-4090',
        'llama.cpp CUDA',
        'llama-3.1-8b',
        'Q4_K_M',
        'pp',
        'pp512 @ d0',
        '11000',
        `whichgpu community report #${a!.id} (discord:g1, 2026-03-01)`,
      ],
      [
        'mac-studio-m4-max-128gb',
        'MLX',
        'llama-3.1-8b',
        'MLX-4bit',
        'tg',
        'tg @ d4096',
        '80.5',
        `whichgpu community report #${b!.id} (slack:T9, 2026-03-01)`,
      ],
    ]);
    for (const r of rows) {
      expect(Number(r.params_b)).toBeCloseTo(8.03, 1);
      expect(Number(r.size_gb)).toBeGreaterThan(3);
      expect(r.note).toMatch(/approved 2026-03-0[23]/);
    }

    // Read back by the fit's opt-in: CUDA and Metal points from the catalog's specs.
    const read = loadCommunityPoints(catalog, out, new Set(['cuda', 'metal']));
    expect(read.skipped).toEqual([]);
    expect(read.points.map((p) => [p.backend, p.metric, p.depthTokens, p.family, p.value])).toEqual([
      ['cuda', 'tg', 512, 'k-quant', 150],
      ['cuda', 'pp', 0, 'k-quant', 11000],
      ['metal', 'tg', 4096, 'mlx', 80.5],
    ]);
    expect(read.points[1]!.promptTokens).toBe(512);
    const none = loadCommunityPoints(catalog, out, new Set(['metal']));
    expect(none.points).toHaveLength(1);
    expect(none.skipped[0]!.why).toMatch(/no cuda fit/);

    // Without the flag the fit's points are the shared CSV's alone.
    const base = read.points.slice(0, 1);
    expect(withCommunity(catalog, base, ['node', 'calibrate.ts', '--check'])).toEqual({ points: base, source: '' });
    const withIt = withCommunity(catalog, base, ['node', 'calibrate.ts', '--with-community', out]);
    // The base has no Metal run here, so the Mac run is left out (the shared CSV has both backends).
    expect(withIt.points).toHaveLength(base.length + 2);
    expect(withIt.source).toBe(`, community reports: ${out}`);
  });
});
