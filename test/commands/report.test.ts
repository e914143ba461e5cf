/**
 * Community reports through the command (issue 18): what is missing is asked back, runs outside the
 * estimate's band are flagged, a report is pending until a moderator approves it, and only then does
 * it show beside the estimate, in its own server only. On a real SQLite store, with the real parser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';
import {
  MAX_RUNS_PER_REPORT,
  REPORT_LIMITS,
  REPORT_MAX_CHARS,
  reportOfText,
  reportsOfText,
  type ReportInput,
  type ReportReply,
} from '../../commands/report.js';
import { textReply } from '../../commands/text.js';
import type { CommandContext, Reply } from '../../commands/types.js';
import { CONSOLE_TEXT } from '../../src/console/console.js';
import { estimateOne, fmt } from '../../src/core/index.js';
import { renderReply } from '../../src/render/text.js';
import { catalog } from '../helpers/catalog.js';
import { commandContext } from '../helpers/context.js';
import { storePerTest } from '../helpers/store.js';

const tmp = storePerTest('whichgpu-report-');
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'reports', name), 'utf8');

/** A member of server g1 (or another server), and a moderator. */
const member = (serverId = 'g1', user = 'member'): CommandContext => ({
  ...commandContext(tmp.store, false, user),
  serverId,
});
const moderator = (serverId = 'g1'): CommandContext => ({ ...commandContext(tmp.store, true), serverId });

async function run(ctx: CommandContext, input: Record<string, unknown>): Promise<Reply> {
  return commands.report.execute(ctx, commands.report.schema.parse(input) as ReportInput);
}
function report<V extends ReportReply['view']>(r: Reply, view: V): Extract<ReportReply, { view: V }> {
  if (r.kind !== 'report' || r.report.view !== view) throw new Error(`expected ${view}: ${JSON.stringify(r)}`);
  return r.report as Extract<ReportReply, { view: V }>;
}

/** The estimate of Llama 3.1 8B Q4_K_M on an RTX 5090, the pair /compare answers for llama 3.1 8b. */
const estimate = (() => {
  const e = estimateOne(catalog, { device: 'rtx-5090', model: 'llama-3.1-8b', quant: 'Q4_K_M' });
  if (!e.ok || !e.value.decodeTokensPerSec || !e.value.decodeRange) throw new Error('no estimate');
  return { decode: e.value.decodeTokensPerSec, band: e.value.decodeRange };
})();

const submit = (ctx: CommandContext, decode: number, extra: Record<string, unknown> = {}) =>
  run(ctx, {
    action: 'submit',
    text: `decode ${decode} tok/s`,
    machine: 'rtx-5090',
    model: 'llama-3.1-8b',
    quant: 'Q4_K_M',
    ...extra,
  });

describe('report: what is missing is asked back, nothing is stored', () => {
  it('a speed without a machine or a model asks for both, with the option to add', async () => {
    const r = report(await run(member(), { action: 'submit', text: 'decode 52 tok/s, prefill 900 tok/s' }), 'missing');
    expect(r.missing).toEqual(['device', 'model']);
    const text = renderReply({ kind: 'report', report: r }, { color: false });
    expect(text).toMatch(/does not say which machine ran it, nor which model it ran/);
    expect(text).toMatch(/report machine:rtx-4090 model:llama-3.1-8b <paste>/);
    expect((await tmp.store.listReports('discord', 'g1', 'all')).total).toBe(0);
  });

  it('a machine and a model without a speed asks for the speed', async () => {
    const r = report(
      await run(member(), { action: 'submit', text: 'it felt fast', machine: 'rtx-4090', model: 'llama 3.1 8b' }),
      'missing',
    );
    expect(r.missing).toEqual(['speed']);
    expect(renderReply({ kind: 'report', report: r }, { color: false })).toMatch(/Paste the lines with the speeds/);
  });

  it('a paste longer than 20,000 characters is refused plainly', async () => {
    const r = await run(member(), { action: 'submit', text: `decode 52 tok/s ${'x'.repeat(REPORT_MAX_CHARS)}` });
    expect(r).toMatchObject({ kind: 'error', error: { code: 'OUT_OF_RANGE' } });
    expect(r.kind === 'error' && r.error.message).toMatch(/20,016 characters; a report takes at most 20,000/);
    expect((await tmp.store.listReports('discord', 'g1', 'all')).total).toBe(0);
  });

  it('an unknown quant is refused with the ones to type', async () => {
    const r = await submit(member(), 100, { quant: 'Q9_Z' });
    expect(r).toMatchObject({ kind: 'error', error: { code: 'UNKNOWN_QUANT' } });
  });
});

describe('report: saved pending, checked against the estimate', () => {
  it('a run within the band is saved pending, not flagged, with who and where', async () => {
    const r = report(await submit(member(), Math.round(estimate.decode)), 'saved');
    expect(r.reports).toHaveLength(1);
    const saved = r.reports[0]!;
    expect(saved).toMatchObject({
      status: 'pending',
      flagged: false,
      device: 'rtx-5090',
      model: 'llama-3.1-8b',
      quant: 'Q4_K_M',
      reportedBy: 'member',
      platform: 'discord',
      serverId: 'g1',
      channelId: 'c1',
    });
    expect(saved.decodeCheck).toMatchObject({ low: estimate.band.low, high: estimate.band.high });
    const text = renderReply({ kind: 'report', report: r }, { color: false });
    expect(text).toMatch(new RegExp(`^Report #${saved.id} saved, pending a moderator's review\\.`));
    expect(text).toMatch(/within the estimate's band/);
  });

  it('a run far outside the band is flagged, saying by how much', async () => {
    const r = report(await submit(member(), Math.round(estimate.band.high * 3)), 'saved');
    expect(r.reports[0]!.flagged).toBe(true);
    const text = renderReply({ kind: 'report', report: r }, { color: false });
    expect(text).toMatch(/decode [\d,]+ tok\/s is 3\.0x the top of the estimate's band/);
    expect(text).toMatch(/second look/);
    const low = report(await submit(member('g1', 'other'), Math.round(estimate.band.low * 0.5)), 'saved');
    expect(low.reports[0]!.flagged).toBe(true);
    expect(renderReply({ kind: 'report', report: low }, { color: false })).toMatch(/5\d% below the estimate's band/);
  });

  it("a llama-bench table is one report per run, with the paste's machine, model, quant, build and depth", async () => {
    const r = report(
      await run(member(), {
        action: 'submit',
        text: fixture('llama-bench-m3-ultra-llama-3.3-70b.txt'),
        machine: 'mac studio m3 ultra 512gb',
      }),
      'saved',
    );
    expect(r.reports.length).toBeGreaterThanOrEqual(3);
    expect(r.reports.length).toBeLessThanOrEqual(MAX_RUNS_PER_REPORT);
    for (const x of r.reports) expect(x).toMatchObject({ device: 'mac-studio-m3-ultra-512gb', model: 'llama-3.3-70b' });
    const tg = r.reports.find((x) => x.decodeTokensPerSec !== null && x.prefillTokensPerSec === null);
    expect(tg?.decodeTokensPerSec).toBeCloseTo(14.41);
    expect(tg?.quant).toBe('Q4_K_M');
    // Without the machine it is asked for, naming what was read.
    const ask = report(
      await run(member(), { action: 'submit', text: fixture('llama-bench-m3-ultra-llama-3.3-70b.txt') }),
      'missing',
    );
    expect(ask).toMatchObject({ missing: ['device'], format: 'llama-bench', model: 'llama-3.3-70b' });
    expect(renderReply({ kind: 'report', report: ask }, { color: false })).toMatch(/report machine:rtx-4090 <paste>/);
  });
});

describe('report: moderators review; approved runs show beside the estimate', () => {
  it('pending -> approved shows in a verdict with the median; rejected never; another server never', async () => {
    const base = Math.round(estimate.decode);
    const saved = [
      report(await submit(member(), base - 4), 'saved'),
      report(await submit(member(), base), 'saved'),
      report(await submit(member(), base + 10), 'saved'),
      report(await submit(member(), base + 40), 'saved'),
    ].map((r) => r.reports[0]!.id);
    const verdict = async (ctx: CommandContext) => {
      const v = await commands.compare.execute(ctx, { model: 'llama 3.1 8b' });
      if (v.kind !== 'verdict') throw new Error(JSON.stringify(v));
      return v;
    };
    // Pending: nothing shown.
    expect((await verdict(member())).community).toBeUndefined();
    const approved = report(await run(moderator(), { action: 'approve', ids: saved.slice(0, 3) }), 'reviewed');
    expect(approved.reports.map((x) => x.status)).toEqual(['approved', 'approved', 'approved']);
    report(await run(moderator(), { action: 'reject', ids: [saved[3]] }), 'reviewed');
    const v = await verdict(member());
    expect(v.community).toEqual([
      expect.objectContaining({ device: 'rtx-5090', runs: 3, medianDecode: base, medianPrefill: null, outsideBand: 0 }),
    ]);
    expect(renderReply(v, { color: false })).toMatch(
      // As every speed is shown: rounded for reading (223 shows as 225).
      new RegExp(`RTX 5090: measured by this community: 3 runs, median ${fmt.tps(base)} tok/s`),
    );
    // The same question in another server shows nothing of g1's.
    expect((await verdict(member('g2'))).community).toBeUndefined();
    // /ask answers the same way.
    const asked = await commands.ask.execute(member(), { question: '5090 or mac studio for llama 3.1 8b?' });
    expect(asked.kind === 'verdict' && asked.community?.[0]?.runs).toBe(3);
  });

  it('an approved run outside the band shows marked as such', async () => {
    const r = report(await submit(member(), Math.round(estimate.band.high * 3)), 'saved');
    await run(moderator(), { action: 'approve', ids: [r.reports[0]!.id] });
    const v = await commands.compare.execute(member(), { model: 'llama 3.1 8b' });
    expect(renderReply(v, { color: false })).toMatch(/1 run, median [\d,]+ tok\/s \(outside the estimate's band\)/);
  });

  it('a plan shows what was measured for its picks', async () => {
    const plan = async () => {
      const p = await commands.plan.execute(member(), commands.plan.schema.parse({ devices: ['rtx-5090'] }));
      if (p.kind !== 'plan') throw new Error(JSON.stringify(p));
      return p;
    };
    const pick = (await plan()).plan.devices[0]!.picks.find((x) => x.model.kind === 'llm')!;
    const r = report(
      await run(member(), {
        action: 'submit',
        text: `decode ${Math.round(pick.decodeTokensPerSec!)} tok/s`,
        machine: 'rtx-5090',
        model: pick.model.id,
        quant: pick.quant,
      }),
      'saved',
    );
    expect((await plan()).community).toBeUndefined();
    await run(moderator(), { action: 'approve', ids: [r.reports[0]!.id] });
    const p = await plan();
    expect(p.community).toEqual([expect.objectContaining({ device: 'rtx-5090', model: pick.model.id, runs: 1 })]);
    expect(renderReply(p, { color: false })).toMatch(/📏 RTX 5090: measured by this community: 1 run, median/);
  });

  it('members may not review, delete or see pending reports; moderators delete', async () => {
    const id = report(await submit(member(), 150), 'saved').reports[0]!.id;
    for (const action of ['approve', 'reject', 'delete'])
      expect(await run(member(), { action, ids: [id] })).toMatchObject({ kind: 'error', error: { code: 'FORBIDDEN' } });
    expect(await run(member(), { action: 'list', status: 'pending' })).toMatchObject({ kind: 'error' });
    expect(report(await run(member(), { action: 'list' }), 'list')).toMatchObject({ filter: 'approved' });
    const list = report(await run(moderator(), { action: 'list' }), 'list');
    expect(list).toMatchObject({ filter: 'pending', canModerate: true });
    expect(list.page.items.map((x) => x.id)).toEqual([id]);
    // Another server's moderator cannot touch it.
    expect(await run(moderator('g2'), { action: 'delete', ids: [id] })).toMatchObject({
      kind: 'error',
      error: { code: 'NOT_FOUND' },
    });
    report(await run(moderator(), { action: 'delete', ids: [id] }), 'reviewed');
    expect(await tmp.store.getReport('discord', 'g1', id)).toBeUndefined();
  });
});

describe('report: abuse', () => {
  it(`a member sends ${REPORT_LIMITS.user.capacity} reports at once, then is asked to wait; another member is not`, async () => {
    for (let i = 0; i < REPORT_LIMITS.user.capacity; i++) report(await submit(member(), 150 + i), 'saved');
    const sixth = await submit(member(), 160);
    expect(sixth).toMatchObject({ kind: 'error', error: { code: 'FORBIDDEN' } });
    expect(sixth.kind === 'error' && sixth.error.message).toMatch(
      /several reports in a short time; send the next in \d+ (s|min)/,
    );
    report(await submit(member('g1', 'someone-else'), 150), 'saved');
    // Asking back costs no report.
    report(await run(member(), { action: 'submit', text: 'decode 52 tok/s' }), 'missing');
    expect((await tmp.store.listReports('discord', 'g1', 'all')).total).toBe(REPORT_LIMITS.user.capacity + 1);
  });
});

describe('report: the text grammar (Slack and the console)', () => {
  it('reads machine, model and quant before the paste, and the review verbs', () => {
    expect(reportOfText(' machine:rtx-4090 model:"llama 3.1 8b" quant=Q8_0\n| model | size |')).toEqual({
      ok: true,
      input: {
        action: 'submit',
        text: '\n| model | size |',
        machine: 'rtx-4090',
        model: 'llama 3.1 8b',
        quant: 'Q8_0',
      },
    });
    expect(reportOfText('approve #12 13')).toEqual({ ok: true, input: { action: 'approve', ids: [12, 13] } });
    expect(reportOfText('delete x')).toMatchObject({ ok: false });
    expect(reportsOfText(['approved', '2'])).toEqual({
      ok: true,
      input: { action: 'list', status: 'approved', page: 2 },
    });
    expect(reportsOfText(['soon'])).toMatchObject({ ok: false });
  });

  it('the console reads `report ...` and `reports` through the shared grammar', async () => {
    const ctx = { ...moderator(), platform: 'console' as const, serverId: 'local' };
    const saved = await textReply(ctx, CONSOLE_TEXT, 'report machine:rtx-5090 model:llama-3.1-8b decode 150 tok/s', [
      'report',
    ]);
    expect(renderReply(saved, { color: false })).toMatch(/^Report #\d+ saved/);
    const listed = await textReply(ctx, CONSOLE_TEXT, 'reports', ['reports']);
    expect(renderReply(listed, { color: false })).toMatch(/Community reports, pending \(1\)/);
  });
});
