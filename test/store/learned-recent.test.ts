/** Store.recentLearned: the found, unexpired learned models, newest first, bounded, from migration 6's index. */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RECENT_LEARNED_MAX, SqliteStore, type LearnedRow } from '../../src/store/store.js';

const now = new Date('2026-11-30T12:00:00Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();

function row(ref: string, fetchedMin: number, o: Partial<LearnedRow> & { facts?: unknown } = {}): LearnedRow {
  const facts = o.facts ?? {
    basis: { source: 'huggingface', ref, url: `https://huggingface.co/${ref}`, fetchedAt: at(fetchedMin), read: [] },
    name: ref.split('/')[1],
    parameters: 34_400_000_000,
    files: [],
  };
  return {
    source: 'huggingface',
    ref: ref.toLowerCase(),
    status: 'found',
    json: JSON.stringify(facts),
    fetchedAt: at(fetchedMin),
    expiresAt: at(fetchedMin + 7 * 24 * 60),
    ...o,
  };
}

describe('Store.recentLearned', () => {
  const dir = mkdtempSync(join(tmpdir(), 'whichgpu-recent-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists found rows not expired, newest first, with the reference as the source spells it', async () => {
    const s = SqliteStore.open(':memory:');
    await s.saveLearned(row('org/Old-7B', -30));
    await s.saveLearned(row('org/New-14B', -5));
    await s.saveLearned(row('org/Gone-3B', -20, { expiresAt: at(-1) }));
    await s.saveLearned(
      row('org/Missing-9B', -1, { status: 'not_found', facts: { code: 'NOT_FOUND', message: 'no' } }),
    );
    await s.saveLearned(
      row('org/Gguf-8B', -10, {
        facts: {
          basis: { source: 'huggingface', ref: 'org/Gguf-8B' },
          name: 'Gguf-8B',
          ggufParameters: 8e9,
          files: [],
        },
      }),
    );
    await s.saveLearned(row('org/NoBasis-1B', -2, { facts: { name: 'x', files: [] } }));
    expect(await s.recentLearned(10, now)).toEqual([
      {
        source: 'huggingface',
        ref: 'org/new-14b',
        basisRef: 'org/New-14B',
        name: 'New-14B',
        parameters: 34.4e9,
        fetchedAt: at(-5),
      },
      {
        source: 'huggingface',
        ref: 'org/gguf-8b',
        basisRef: 'org/Gguf-8B',
        name: 'Gguf-8B',
        parameters: 8e9,
        fetchedAt: at(-10),
      },
      {
        source: 'huggingface',
        ref: 'org/old-7b',
        basisRef: 'org/Old-7B',
        name: 'Old-7B',
        parameters: 34.4e9,
        fetchedAt: at(-30),
      },
    ]);
    expect((await s.recentLearned(1, now)).map((r) => r.basisRef)).toEqual(['org/New-14B']);
    s.close();
  });

  it(`returns at most ${RECENT_LEARNED_MAX} rows whatever is asked, through the partial index (migration 6)`, async () => {
    const path = join(dir, 'db.sqlite');
    const s = SqliteStore.open(path);
    for (let i = 0; i < RECENT_LEARNED_MAX + 50; i++) await s.saveLearned(row(`org/M${i}-7B`, -i));
    const listed = await s.recentLearned(10_000, now);
    expect(listed).toHaveLength(RECENT_LEARNED_MAX);
    expect(listed[0]!.basisRef).toBe('org/M0-7B');
    s.close();
    const raw = new Database(path, { readonly: true });
    const plan = raw
      .prepare(
        `EXPLAIN QUERY PLAN SELECT ref FROM learned_models WHERE status = 'found' AND expires_at > ?
           AND json_type(facts_json, '$.basis.ref') = 'text' AND json_type(facts_json, '$.name') = 'text'
         ORDER BY fetched_at DESC LIMIT ?`,
      )
      .all(now.toISOString(), 100) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX learned_models_found_recent/);
    raw.close();
  });

  it("counts this process's cache writes, so a list read from it knows when it is stale", async () => {
    const s = SqliteStore.open(':memory:');
    const before = s.learnedWrites;
    await s.saveLearned(row('org/A-7B', 0));
    expect(s.learnedWrites).toBe(before + 1);
    expect(await s.saveLearned(row('org/Big-7B', 0, { json: 'x'.repeat(300_000) }))).toBe(false);
    expect(s.learnedWrites).toBe(before + 1);
    s.close();
  });
});
