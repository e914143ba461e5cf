/**
 * Community reports over Discord's HTTP interactions (issue 18): signed requests to our endpoint
 * on 127.0.0.1, the app on a real SQLite store, Discord's API a loopback fake.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { command, component, GUILD } from './helpers.js';
import { discordHttpApp } from './http-app.js';

const http = discordHttpApp();
const { post } = http;

const REPORT = { paste: 'decode 190 tok/s', machine: 'rtx-5090', model: 'llama-3.1-8b', quant: 'Q4_K_M' };

/** The buttons of a message: [custom_id, label]. */
const buttons = (data: { components?: { components: { custom_id: string; label: string }[] }[] }) =>
  (data.components ?? []).flatMap((row) => row.components.map((c) => [c.custom_id, c.label]));

describe('/report over HTTP', () => {
  it('saves a report pending, in the channel with Approve and Reject; a member clicking them is refused privately', async () => {
    const r = await post(command('report', REPORT, { user: '676767676767676767' }));
    expect(r.status).toBe(200);
    expect(r.json.type).toBe(4);
    expect(r.json.data.flags).toBeUndefined();
    const id = Number(/Report #(\d+) saved, pending a moderator's review\./.exec(r.json.data.content)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect(r.json.data.allowed_mentions).toEqual({ parse: [] });
    expect(buttons(r.json.data)).toEqual([
      [`rok:${id}`, 'Approve'],
      [`rno:${id}`, 'Reject'],
    ]);
    expect(await http.t.store.getReport('discord', GUILD, id)).toMatchObject({
      status: 'pending',
      reportedBy: '676767676767676767',
      device: 'rtx-5090',
      decodeTokensPerSec: 190,
    });

    const refused = await post(component(`rok:${id}`, undefined, { moderator: false }));
    expect(refused.json.type).toBe(4);
    expect(refused.json.data.flags).toBe(64);
    expect(refused.json.data.content).toMatch(/Only moderators can review community reports/);
    expect((await http.t.store.getReport('discord', GUILD, id))?.status).toBe('pending');
  });

  it("a moderator's Approve replaces the pending message, and the next verdict shows the run beside the estimate", async () => {
    const saved = await post(command('report', REPORT, { user: '686868686868686868' }));
    const [approve] = buttons(saved.json.data)[0]!;
    const asker = { user: '717171717171717171' };
    const before = await post(command('compare', { model: 'llama 3.1 8b' }, asker));
    const approvedBefore = (await http.t.store.listReports('discord', GUILD, 'approved')).total;

    const r = await post(component(approve!, undefined, { moderator: true }));
    expect(r.json.type).toBe(7);
    expect(r.json.data.content).toMatch(/^Report #\d+ approved by <@555555555555555555>\./);
    expect(r.json.data.components).toEqual([]);
    expect((await http.t.store.listReports('discord', GUILD, 'approved')).total).toBe(approvedBefore + 1);

    const after = await post(command('compare', { model: 'llama 3.1 8b' }, asker));
    const description = after.json.data.embeds[0].description as string;
    expect(description).toMatch(/📏 RTX 5090: measured by this community: \d+ runs?, median 190 tok\/s/);
    expect(before.json.data.embeds[0].description).not.toEqual(description);
  });

  it('asks back for what the paste does not say, privately', async () => {
    const r = await post(command('report', { paste: 'decode 52 tok/s' }));
    expect(r.json.data.flags).toBe(64);
    expect(r.json.data.content).toMatch(/Add them: \/report paste:… machine:rtx-4090 model:llama-3\.1-8b/);
  });

  it("/reports lists pending reports for moderators with each one's buttons; members see approved ones", async () => {
    await post(command('report', { ...REPORT, paste: 'decode 191 tok/s' }, { user: '696969696969696969' }));
    const mod = await post(command('reports', {}, { moderator: true }));
    expect(mod.json.data.flags).toBe(64);
    expect(mod.json.data.content).toMatch(/\*\*Community reports, pending \(\d+\)\*\*/);
    expect(buttons(mod.json.data).map(([id]) => id)).toContainEqual(expect.stringMatching(/^lrok:\d+$/));
    const member = await post(command('reports', { status: 'pending' }));
    expect(member.json.data.content).toMatch(/Only moderators can see pending report/);
    const approved = await post(command('reports', {}));
    expect(approved.json.data.content).toMatch(/Community reports, approved/);
    // Delete from the list: answered apart, the list left alone.
    const [del] = buttons(mod.json.data).find(([id]) => id!.startsWith('lrdel:'))!;
    const deleted = await post(component(del!, undefined, { moderator: true }));
    expect(deleted.json.type).toBe(4);
    expect(deleted.json.data.content).toMatch(/^Report #\d+ deleted/);
  });

  it('outside a server (a DM) a report is refused: no moderators there to review it', async () => {
    const dm: Record<string, unknown> = command('report', REPORT);
    const member = dm.member as { user: unknown };
    delete dm.guild_id;
    delete dm.member;
    dm.user = member.user;
    dm.context = 1;
    const r = await post(dm);
    expect(r.json.data.flags).toBe(64);
    expect(r.json.data.content).toMatch(/Reports belong to a server/);
  });

  it('without a paste /report opens a form; its multi-line paste (a llama-bench table) is read with its lines', async () => {
    const opened = await post(command('report', { machine: 'mac studio m3 ultra 512gb' }));
    expect(opened.json.type).toBe(9);
    expect(opened.json.data.custom_id).toBe('report_form');
    const inputs = opened.json.data.components.map((c: { component: { custom_id: string; value?: string } }) => [
      c.component.custom_id,
      c.component.value,
    ]);
    expect(inputs).toEqual([
      ['paste', undefined],
      ['machine', 'mac studio m3 ultra 512gb'],
      ['model', undefined],
      ['quant', undefined],
    ]);
    const table = readFileSync(
      join(import.meta.dirname, '..', 'fixtures', 'reports', 'llama-bench-m3-ultra-llama-3.3-70b.txt'),
      'utf8',
    );
    const submit = {
      ...command('report', {}, { user: '727272727272727272' }),
      type: 5,
      data: {
        custom_id: 'report_form',
        components: [
          { type: 18, id: 1, component: { type: 4, id: 2, custom_id: 'paste', value: table } },
          { type: 18, id: 3, component: { type: 4, id: 4, custom_id: 'machine', value: 'mac studio m3 ultra 512gb' } },
          { type: 18, id: 5, component: { type: 4, id: 6, custom_id: 'model', value: '' } },
          { type: 18, id: 7, component: { type: 4, id: 8, custom_id: 'quant', value: '' } },
        ],
      },
    };
    const r = await post(submit);
    expect(r.json.type).toBe(4);
    expect(r.json.data.content).toMatch(/^Reports #\d+, #\d+, #\d+ saved/);
    expect(r.json.data.content).toMatch(/M3 Ultra 512GB · Llama 3\.3 70B Q4_K_M/);
    expect(buttons(r.json.data).map(([, label]) => label)).toEqual(['Approve all', 'Reject all']);
  });

  it('moderators review by id with /reports approve:<id>', async () => {
    const saved = await post(
      command('report', { ...REPORT, paste: 'decode 189 tok/s' }, { user: '707070707070707070' }),
    );
    const id = Number(/#(\d+)/.exec(saved.json.data.content)![1]);
    const r = await post(command('reports', { reject: id }, { moderator: true }));
    expect(r.json.data.content).toMatch(new RegExp(`^Report #${id} rejected`));
    expect((await http.t.store.getReport('discord', GUILD, id))?.status).toBe('rejected');
  });
});
