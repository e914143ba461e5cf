import { describe, expect, it } from 'vitest';
import { fake, t, slash, click, actionsOf, slackHttpApp } from './http-app.js';

slackHttpApp();

describe('pinning on Slack', () => {
  async function pinValue() {
    const msg = await slash('qwen3 32b');
    return actionsOf(msg)[2]!.value!;
  }
  const pinsAdds = () => fake.calls.filter((c) => c.method === 'pins.add').length;

  it('a non-admin is refused ephemerally and pins.add is never called', async () => {
    const value = await pinValue();
    const before = pinsAdds();
    const r = await click({ type: 'button', action_id: 'whichgpu_pin', value }, 'UMEMBER');
    expect(r.response_type).toBe('ephemeral');
    expect(r.text).toMatch(/Only workspace admins/);
    expect(pinsAdds()).toBe(before);
    expect(fake.calls.some((c) => c.method === 'users.info' && c.body.user === 'UMEMBER')).toBe(true);
  });

  it('an admin pins with pins.add on the message, and the verdict is stored', async () => {
    const value = await pinValue();
    const r = await click({ type: 'button', action_id: 'whichgpu_pin', value }, 'UADMIN');
    expect(r.text).toMatch(/Pinned as #\d+/);
    const add = await fake.waitFor((c) => c.method === 'pins.add');
    expect(add.body).toMatchObject({ channel: 'C1', timestamp: '1700000000.000100' });
    expect((await t.store.list('slack', 'T1')).items[0]).toMatchObject({
      channelId: 'C1',
      messageId: '1700000000.000100',
      pinnedBy: 'UADMIN',
    });
    const pins = await slash('pins');
    expect(pins.text).toMatch(/Pinned verdicts \(1\)/);
  });

  it("a member refused a settings change, an unpin or a refresh is told who may, in Slack's words", async () => {
    const pin = (await t.store.list('slack', 'T1')).items[0]!;
    const answers = [
      (await slash('settings set hours=3', 'UMEMBER')).text,
      ...(await Promise.all(
        ['unpin', 'refresh'].map(
          async (verb) =>
            (
              await click(
                {
                  type: 'static_select',
                  action_id: 'whichgpu_pin_menu_0',
                  selected_option: { value: `${verb}|${pin.id}` },
                },
                'UMEMBER',
              )
            ).text,
        ),
      )),
    ];
    expect(answers).toEqual([
      'Only workspace admins, owners and configured moderators can change settings.\nAsk a workspace admin or owner, or someone in the moderator user group.',
      'Only workspace admins, owners and configured moderators can unpin verdicts.\nAsk a workspace admin or owner, or someone in the moderator user group.',
      'Only workspace admins, owners and configured moderators can refresh pinned verdicts.\nAsk a workspace admin or owner, or someone in the moderator user group.',
    ]);
    for (const a of answers) expect(a).not.toMatch(/Manage Server|Pin Messages|server/i);
    expect((await t.store.settings('slack', 'T1')).hours).not.toBe(3);
    expect((await t.store.get('slack', 'T1', pin.id))?.unpinnedAt).toBeNull();
  });

  it('SLACK_MODERATORS and the configured user group count as moderators', async () => {
    expect(
      (await click({ type: 'button', action_id: 'whichgpu_pin', value: await pinValue() }, 'ULISTED')).text,
    ).toMatch(/Pinned|Already pinned/);
    await slash('settings set moderator_role=SMODS', 'UADMIN');
    expect(
      (await click({ type: 'button', action_id: 'whichgpu_pin', value: await pinValue() }, 'UGROUPMOD')).text,
    ).toMatch(/Pinned|Already pinned/);
  });

  it.each([
    ['not_in_channel', /Invite me/],
    ['not_pinnable', /cannot be pinned/],
    ['permission_denied', /pins:write/],
  ])('pins.add %s gets a clear answer', async (error, message) => {
    const value = await pinValue();
    fake.failNext('pins.add', error);
    const r = await click({ type: 'button', action_id: 'whichgpu_pin', value }, 'UADMIN');
    expect(r.response_type).toBe('ephemeral');
    expect(r.text).toMatch(message);
  });

  it('already_pinned still records the verdict', async () => {
    const value = await pinValue();
    fake.failNext('pins.add', 'already_pinned');
    const r = await click({ type: 'button', action_id: 'whichgpu_pin', value }, 'UADMIN');
    expect(r.text).toMatch(/Pinned as #|Already pinned/);
  });
  it('a pinned message keeps its buttons: the pin stores its state id, so pruning old questions keeps it', async () => {
    const value = await pinValue();
    expect(
      (
        await click({ type: 'button', action_id: 'whichgpu_pin', value }, 'UADMIN', {
          message: { ts: '1700000000.000900', text: '' },
        })
      ).text,
    ).toMatch(/Pinned as #\d+|Already pinned/);
    const later = new Date(Date.now() + 8 * 86_400_000);
    while ((await t.store.prune(later, 5000)) === 5000);
    expect(await t.store.loadQuery(value)).toBeDefined();
  });
});

describe('who moderates on Slack (lookups cached, failures are "not a moderator", groups checked when set)', () => {
  const T = { team_id: 'T2' };
  const usersInfo = (user: string) =>
    fake.calls.filter((c) => c.method === 'users.info' && c.body.user === user).length;
  async function pinValue(extra: Record<string, string> = T) {
    return actionsOf(await slash('qwen3 32b', 'UMEMBER', extra)).find((e) => e.action_id === 'whichgpu_pin')!.value!;
  }
  const team2 = { team: { id: 'T2', domain: 't2' }, user: { id: 'UADMIN2', name: 'uadmin2', team_id: 'T2' } };

  it('two pins by an admin call users.info once', async () => {
    fake.admins.add('UADMIN2');
    const first = await click({ type: 'button', action_id: 'whichgpu_pin', value: await pinValue() }, 'UADMIN2', team2);
    const second = await click(
      { type: 'button', action_id: 'whichgpu_pin', value: await pinValue() },
      'UADMIN2',
      team2,
    );
    expect(first.text).toMatch(/Pinned as #\d+/);
    expect(second.text).toMatch(/Pinned as #\d+|Already pinned/);
    expect(usersInfo('UADMIN2')).toBe(1);
  });

  it('the pin list still shows when users.info answers missing_scope (the member is just not a moderator)', async () => {
    expect((await t.store.list('slack', 'T2')).total).toBeGreaterThan(0);
    fake.failNext('users.info', 'missing_scope');
    const pins = await slash('pins', 'UNOSCOPE', T);
    expect(pins.response_type).toBe('ephemeral');
    expect(pins.text).toMatch(/Pinned verdicts \(\d+\)/);
    expect(JSON.stringify(pins.blocks)).not.toMatch(/whichgpu_pin_menu/);
  });

  it('the pin list still shows when the stored group no longer exists (usergroups.users.list fails)', async () => {
    const team3 = { team: { id: 'T3', domain: 't3' }, user: { id: 'UADMIN', name: 'uadmin', team_id: 'T3' } };
    expect(
      (
        await click(
          { type: 'button', action_id: 'whichgpu_pin', value: await pinValue({ team_id: 'T3' }) },
          'UADMIN',
          team3,
        )
      ).text,
    ).toMatch(/Pinned as/);
    // A group stored before groups were checked, or deleted since.
    await t.store.saveSettings(
      'slack',
      'T3',
      { ...(await t.store.settings('slack', 'T3')), moderator_role: 'SDELETED' },
      'UADMIN',
    );
    const pins = await slash('pins', 'UMEMBER3', { team_id: 'T3' });
    expect(pins.text).toMatch(/Pinned verdicts \(1\)/);
    expect(fake.calls.some((c) => c.method === 'usergroups.users.list' && c.body.usergroup === 'SDELETED')).toBe(true);
  });

  it('an unknown user group is refused when set, and nothing is stored', async () => {
    const r = await slash('settings set moderator_role=SNOPE', 'UADMIN', { team_id: 'T4' });
    expect(r.response_type).toBe('ephemeral');
    expect(r.text).toMatch(/no active user group/);
    expect((await t.store.settings('slack', 'T4')).moderator_role).toBeNull();
    expect(fake.calls.some((c) => c.method === 'usergroups.list' && c.body.team_id === 'T4')).toBe(true);
  });

  it('a group named by its handle, as typed, is stored by id', async () => {
    fake.groups.SPINNERS = ['UPINNER'];
    fake.groupHandles.SPINNERS = 'pin-crew';
    const r = await slash('settings set moderator_role=@pin-crew', 'UADMIN', { team_id: 'T4' });
    expect(r.text).not.toMatch(/no active user group/);
    expect((await t.store.settings('slack', 'T4')).moderator_role).toBe('SPINNERS');
  });

  it('a member who cannot change settings is refused before any group lookup', async () => {
    const lists = fake.calls.filter((c) => c.method === 'usergroups.list').length;
    const r = await slash('settings set moderator_role=SNOPE', 'UMEMBER', { team_id: 'T4' });
    expect(r.text).toMatch(/Only /);
    expect(fake.calls.filter((c) => c.method === 'usergroups.list').length).toBe(lists);
  });
});

describe('Enterprise Grid', () => {
  const orgSlash = { team_id: 'T7', enterprise_id: 'E1', enterprise_name: 'Org', is_enterprise_install: 'true' };
  // An org-wide install: interactions carry team: null; the workspace is the member's user.team_id.
  const orgClick = (user: string) => ({
    team: null,
    user: { id: user, name: user.toLowerCase(), team_id: 'T7' },
    enterprise: { id: 'E1', name: 'Org' },
    is_enterprise_install: true,
  });

  it('an org-wide install keeps its pins under enterprise:team, for buttons (team: null) and slash commands alike', async () => {
    const value = actionsOf(await slash('qwen3 32b', 'UORGADMIN', orgSlash)).find(
      (e) => e.action_id === 'whichgpu_pin',
    )!.value!;
    fake.admins.add('UORGADMIN');
    const r = await click({ type: 'button', action_id: 'whichgpu_pin', value }, 'UORGADMIN', orgClick('UORGADMIN'));
    expect(r.text).toMatch(/Pinned as #\d+/);
    expect((await t.store.list('slack', 'E1:T7')).items).toHaveLength(1);
    expect((await t.store.list('slack', 'unknown')).items).toHaveLength(0);
    expect((await slash('pins', 'UORGMEMBER', orgSlash)).text).toMatch(/Pinned verdicts \(1\)/);
  });

  it('a workspace-level install inside an org (team present) keeps its plain team id', async () => {
    const gridWorkspace = { team_id: 'T8', enterprise_id: 'E1', is_enterprise_install: 'false' };
    const value = actionsOf(await slash('qwen3 32b', 'UADMIN', gridWorkspace)).find(
      (e) => e.action_id === 'whichgpu_pin',
    )!.value!;
    const extra = {
      team: { id: 'T8', domain: 't8' },
      user: { id: 'UADMIN', name: 'uadmin', team_id: 'T8' },
      enterprise: { id: 'E1', name: 'Org' },
      is_enterprise_install: false,
    };
    expect((await click({ type: 'button', action_id: 'whichgpu_pin', value }, 'UADMIN', extra)).text).toMatch(
      /Pinned as #\d+/,
    );
    expect((await t.store.list('slack', 'T8')).items).toHaveLength(1);
    expect((await slash('pins', 'UMEMBER', gridWorkspace)).text).toMatch(/Pinned verdicts \(1\)/);
  });
});
