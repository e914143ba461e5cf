/**
 * The exported Slack listeners called directly, as Bolt's starter template tests its callbacks:
 * `{ ack, respond, command | body, action, client }` as plain objects. The client is a plain-object
 * fake of the few Web API methods whichgpu calls (never a real WebClient, which would reach Slack
 * for any method not faked). The HTTP tests in slack.test.ts keep covering Bolt's routing.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { storePerTest } from '../helpers/store.js';
import type { RespondArguments } from '@slack/bolt';
import { RateLimiter } from '../../src/rate-limit.js';
import { PIN_ACTION, QUANT_ACTION, SOURCES_ACTION } from '../../src/render/slack-ids.js';
import {
  pinAction,
  pinMenuAction,
  selectAction,
  sourcesAction,
  whichgpuCommand,
  type ActionArgs,
  type SlackDeps,
} from '../../src/slack/listeners.js';
import { SlackModerators, type SlackClient } from '../../src/slack/moderators.js';
import { SqliteStore } from '../../src/store/store.js';
import { catalog } from '../helpers/catalog.js';
import { captureLog } from '../helpers/log.js';

const tmp = storePerTest('whichgpu-slack-listeners-');

/** A plain-object client: admins by id, a pins.add that records or fails with a Slack error code. */
function fakeClient(o: { admins?: string[]; pinError?: string; postError?: string } = {}) {
  const calls: string[] = [];
  const posted: Parameters<SlackClient['chat']['postMessage']>[0][] = [];
  const client: SlackClient = {
    users: {
      info: async ({ user }) => (calls.push(`users.info ${user}`), { user: { is_admin: o.admins?.includes(user) } }),
    },
    usergroups: {
      list: async () => ({ usergroups: [] }),
      users: { list: async () => ({ users: [] }) },
    },
    pins: {
      add: async ({ channel, timestamp }) => {
        calls.push(`pins.add ${channel} ${timestamp}`);
        if (o.pinError) throw Object.assign(new Error(o.pinError), { data: { error: o.pinError } });
        return { ok: true };
      },
    },
    chat: {
      postMessage: async (m) => {
        calls.push(`chat.postMessage ${m.channel} ${m.thread_ts}`);
        if (o.postError) throw Object.assign(new Error(o.postError), { data: { error: o.postError } });
        posted.push(m);
        return { ok: true, ts: '1700000009.000100' };
      },
    },
  };
  return { client, calls, posted };
}

function deps(extra: Partial<SlackDeps> = {}): SlackDeps {
  const { log } = captureLog();
  return { catalog, store: tmp.store, log, moderators: new SlackModerators([], log), ...extra };
}

/** ack and respond fakes that record what was sent, in order. */
function io() {
  const events: string[] = [];
  const sent: RespondArguments[] = [];
  return {
    events,
    sent,
    ack: async () => void events.push('ack'),
    respond: async (m: RespondArguments) => (events.push('respond'), sent.push(m)),
  };
}

const command = (text: string, user = 'UMEMBER') => ({
  text,
  team_id: 'T1',
  channel_id: 'C1',
  user_id: user,
  user_name: user.toLowerCase(),
  trigger_id: 'trig',
});
const body = (user = 'UMEMBER') => ({
  team: { id: 'T1' },
  user: { id: user, name: user.toLowerCase(), team_id: 'T1' },
  channel: { id: 'C1' },
  trigger_id: 'trig',
  message: { ts: '1700000000.000100' },
});

/** A verdict asked through the command listener, and the state id its buttons carry. */
async function askVerdict(d: SlackDeps, text = 'llama 3.3 70b coding') {
  const r = io();
  await whichgpuCommand(d)({ command: command(text), ack: r.ack, respond: r.respond, client: fakeClient().client });
  const msg = r.sent[0] as { blocks: { type: string; elements?: { action_id: string; value?: string }[] }[] };
  const pin = msg.blocks.find((b) => b.type === 'actions')!.elements!.find((e) => e.action_id === PIN_ACTION)!;
  return { msg: r.sent[0]!, stateId: pin.value! };
}

describe('the /whichgpu listener', () => {
  it('acks first, then answers a question in the channel', async () => {
    const r = io();
    await whichgpuCommand(deps())({
      command: command('llama 3.3 70b'),
      ack: r.ack,
      respond: r.respond,
      client: fakeClient().client,
    });
    expect(r.events).toEqual(['ack', 'respond']);
    expect(r.sent[0]).toMatchObject({ response_type: 'in_channel', replace_original: false });
  });

  it('reads "help", "pins" and "settings" as the shared grammar does, privately', async () => {
    for (const [text, pattern] of [
      ['help', /\/whichgpu pins \[page\]/],
      ['pins', /No pinned verdicts|pinned/i],
      ['settings', /kwh|electricity/i],
    ] as const) {
      const r = io();
      await whichgpuCommand(deps())({
        command: command(text),
        ack: r.ack,
        respond: r.respond,
        client: fakeClient().client,
      });
      expect(r.sent[0]!.response_type, text).toBe('ephemeral');
      expect(JSON.stringify(r.sent[0]), text).toMatch(pattern);
    }
  });

  it('answers a member over the rate limit with the cooldown only', async () => {
    const limiter = new RateLimiter(
      { user: { capacity: 1, perMinute: 1 }, server: { capacity: 60, perMinute: 60 } },
      () => 0,
    );
    const d = deps({ limiter });
    const client = fakeClient().client;
    const first = io();
    await whichgpuCommand(d)({ command: command('help'), ack: first.ack, respond: first.respond, client });
    const second = io();
    await whichgpuCommand(d)({ command: command('help'), ack: second.ack, respond: second.respond, client });
    expect(second.sent).toHaveLength(1);
    expect(second.sent[0]!.text).toMatch(/^Easy there/);
  });

  it('answers a failure of its own briefly, with a reference, after the ack', async () => {
    const r = io();
    const broken = {
      ...deps(),
      store: {
        settings: () => {
          throw new Error('disk');
        },
      } as unknown as SqliteStore,
    };
    await whichgpuCommand(broken)({
      command: command('llama 3.3 70b'),
      ack: r.ack,
      respond: r.respond,
      client: fakeClient().client,
    });
    expect(r.events).toEqual(['ack', 'respond']);
    expect(r.sent[0]!.text).toMatch(/Something went wrong on my side \(ref trig\)/);
  });
});

/** Calls an action listener with fresh ack and respond fakes; what it sent, in order. */
async function act(
  listener: (a: ActionArgs) => Promise<void>,
  action: unknown,
  o: { user?: string; client?: SlackClient } = {},
) {
  const r = io();
  await listener({
    body: body(o.user),
    action,
    ack: r.ack,
    respond: r.respond,
    client: o.client ?? fakeClient().client,
  });
  return r.sent;
}

describe('the verdict buttons and selects', () => {
  it('a quant picked replaces the verdict in place', async () => {
    const d = deps();
    const { stateId } = await askVerdict(d);
    const [sent] = await act(selectAction(d), {
      action_id: QUANT_ACTION,
      selected_option: { value: `${stateId}|Q8_0` },
    });
    expect(sent).toMatchObject({ replace_original: true });
    expect(sent!.text).toMatch(/Q8_0/);
  });

  it('a select on a verdict whose state is gone says it is too old, privately', async () => {
    const [sent] = await act(selectAction(deps()), {
      action_id: QUANT_ACTION,
      selected_option: { value: 'gone|Q8_0' },
    });
    expect(sent).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(sent!.text).toBe('That verdict is too old to change; ask again with /whichgpu.');
  });

  it('Sources answers privately', async () => {
    const d = deps();
    const { stateId } = await askVerdict(d);
    const [sent] = await act(sourcesAction(d), { action_id: SOURCES_ACTION, value: stateId });
    expect(sent).toMatchObject({ response_type: 'ephemeral' });
  });
});

describe('the pin button', () => {
  it("an admin's pin asks users.info, calls pins.add once, and stores the pin", async () => {
    const d = deps();
    const { stateId } = await askVerdict(d);
    const { client, calls } = fakeClient({ admins: ['UADMIN'] });
    const [sent] = await act(pinAction(d), { value: stateId }, { user: 'UADMIN', client });
    // How often users.info is asked is SlackModerators' cache's business (and askedHere's, in commands/follow-up.test.ts).
    expect(calls).toContain('users.info UADMIN');
    expect(calls.filter((c) => c.startsWith('pins.add'))).toEqual(['pins.add C1 1700000000.000100']);
    expect(sent!.text).toMatch(/Pinned as #1/);
    const db = new Database(tmp.path, { readonly: true });
    expect(db.prepare('SELECT state_id FROM pinned_verdicts').all()).toEqual([{ state_id: stateId }]);
    db.close();
  });

  it('a member is refused without a pin call', async () => {
    const d = deps();
    const { stateId } = await askVerdict(d);
    const { client, calls } = fakeClient();
    const [sent] = await act(pinAction(d), { value: stateId }, { client });
    expect(calls).toEqual(['users.info UMEMBER']);
    expect(sent!.text).toBe('Only workspace admins, owners and configured moderators can pin verdicts.');
  });

  it("Slack's already_pinned counts as pinned; not_in_channel is said plainly", async () => {
    const d = deps();
    const { stateId } = await askVerdict(d);
    const pinWith = (pinError: string) =>
      act(
        pinAction(d),
        { value: stateId },
        { user: 'UADMIN', client: fakeClient({ admins: ['UADMIN'], pinError }).client },
      );
    expect((await pinWith('already_pinned'))[0]!.text).toMatch(/Pinned as #1/);
    expect((await pinWith('not_in_channel'))[0]!.text).toMatch(/^I am not in this channel/);
  });

  it("a pin menu's unpin removes the pin from the list", async () => {
    const d = deps();
    const { stateId } = await askVerdict(d);
    const { client } = fakeClient({ admins: ['UADMIN'] });
    await act(pinAction(d), { value: stateId }, { user: 'UADMIN', client });
    const [sent] = await act(pinMenuAction(d), { selected_option: { value: 'unpin|1' } }, { user: 'UADMIN', client });
    expect(sent!.text).toBe('Unpinned #1 from the list.');
    expect((await tmp.store.list('slack', 'T1', 1)).items).toEqual([]);
  });
});
