/**
 * Community reports over Slack's HTTP route (issue 18): signed slash commands and button clicks to
 * our endpoint, the app on a real SQLite store, Slack's Web API and response_url a loopback fake.
 */
import { describe, expect, it } from 'vitest';
import { actionsOf, click, slackHttpApp, slash, t } from './http-app.js';

slackHttpApp();

const PASTE =
  'report machine:rtx-5090 model:llama-3.1-8b quant:Q4_K_M\nPrompt evaluation: 9000 tok/s\nToken generation: 190 tok/s';

describe('/whichgpu report on Slack', () => {
  it('saves a report pending, in the channel with Approve and Reject; a member clicking them is refused privately', async () => {
    const r = await slash(PASTE, 'UREPORTER');
    expect(r.response_type).toBe('in_channel');
    const id = Number(/Report #(\d+) saved, pending a moderator's review\./.exec(r.text)?.[1]);
    expect(id).toBeGreaterThan(0);
    const buttons = actionsOf(r);
    expect(buttons.map((b) => [b.action_id, b.value])).toEqual([
      ['whichgpu_report_approve', String(id)],
      ['whichgpu_report_reject', String(id)],
    ]);
    expect(await t.store.getReport('slack', 'T1', id)).toMatchObject({
      status: 'pending',
      reportedBy: 'UREPORTER',
      decodeTokensPerSec: 190,
      prefillTokensPerSec: 9000,
    });
    const refused = await click({ type: 'button', action_id: 'whichgpu_report_approve', value: String(id) }, 'UMEMBER');
    expect(refused.response_type).toBe('ephemeral');
    expect(refused.replace_original).toBe(false);
    expect(refused.text).toMatch(
      /Only workspace admins, owners and configured moderators can review community reports/,
    );
    expect((await t.store.getReport('slack', 'T1', id))?.status).toBe('pending');
  });

  it("an admin's Approve replaces the pending message, and the next verdict shows the run", async () => {
    const saved = await slash(PASTE, 'UREPORTER2');
    const approve = actionsOf(saved)[0]!;
    const r = await click({ type: 'button', action_id: approve.action_id, value: approve.value }, 'UADMIN');
    expect(r.replace_original).toBe(true);
    expect(r.text).toMatch(/^Report #\d+ approved\./);
    expect(JSON.stringify(r.blocks)).toMatch(/approved by <@UADMIN>/);
    expect(JSON.stringify(r.blocks)).not.toMatch(/whichgpu_report_approve/);
    const verdict = await slash('llama 3.1 8b', 'UASKER');
    expect(JSON.stringify(verdict.blocks)).toMatch(
      /RTX 5090: measured by this community: \d+ runs?, median 190 tok\/s \(prefill 9,000 tok\/s\)/,
    );
  });

  it('asks back privately for what the paste does not say, in Slack syntax', async () => {
    const r = await slash('report decode 52 tok/s', 'UREPORTER3');
    expect(r.response_type).toBe('ephemeral');
    expect(r.text).toMatch(/Add them: \/whichgpu report machine:rtx-4090 model:llama-3\.1-8b <paste>/);
  });

  it('moderators list, reject by id and delete from the list; members see approved ones only', async () => {
    const saved = await slash(PASTE.replace('190', '188'), 'UREPORTER4');
    const id = Number(/#(\d+)/.exec(saved.text)![1]);
    const list = await slash('reports', 'UADMIN');
    expect(list.response_type).toBe('ephemeral');
    expect(list.text).toMatch(/Community reports, pending \(\d+\)/);
    const own = list.blocks.flatMap((b) => b.elements ?? []).filter((e) => e.value === String(id));
    expect(own.map((e) => e.action_id)).toEqual([
      `whichgpu_report_approve_${id}`,
      `whichgpu_report_reject_${id}`,
      `whichgpu_report_delete_${id}`,
    ]);
    expect((await slash('reports pending', 'UMEMBER')).text).toMatch(/can see pending report/);
    expect((await slash(`report reject ${id}`, 'UADMIN')).text).toMatch(new RegExp(`^Report #${id} rejected`));
    const deleted = await click(
      { type: 'button', action_id: `whichgpu_report_delete_${id}`, value: String(id) },
      'UADMIN',
    );
    // From the list: answered apart, the list left as it was.
    expect(deleted.replace_original).toBe(false);
    expect(deleted.text).toMatch(new RegExp(`^Report #${id} deleted`));
    expect(await t.store.getReport('slack', 'T1', id)).toBeUndefined();
  });
});
