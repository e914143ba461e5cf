/**
 * commands/follow-up.ts with each platform's port as a plain object: a Discord-like port (its own
 * Pin Messages check, numeric error codes) and a Slack-like one (string codes, already_pinned
 * counts as pinned). No platform, no HTTP: the tmp.store is real, the ports record their calls.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { storePerTest } from '../helpers/store.js';
import {
  askedHere,
  overLimit,
  picked,
  pinVerdict,
  QUANT_CHOICES,
  selectChange,
  startPin,
  verdictOf,
  type FollowUpWords,
  type PinPort,
} from '../../commands/follow-up.js';
import { commands } from '../../commands/index.js';
import type { CommandContext, Reply } from '../../commands/types.js';
import { RateLimiter } from '../../src/rate-limit.js';
import { commandContext } from '../helpers/context.js';

const tmp = storePerTest('whichgpu-follow-up-');

const WORDS: FollowUpWords = {
  tooOldToChange: 'too old to change',
  tooOldToPin: 'too old to pin',
  notModerator: 'only moderators',
};

/** A context whose moderator check counts how often it is asked. */
function counted(moderator: boolean): { ctx: CommandContext; asked: () => number } {
  let n = 0;
  const base = commandContext(tmp.store, moderator);
  return {
    ctx: { ...base, canModerate: async () => (n++, moderator) },
    asked: () => n,
  };
}

async function storedVerdict(ctx: CommandContext, text = 'llama 3.3 70b for coding') {
  const r = await commands.compare.execute(ctx, { text });
  if (r.kind !== 'verdict') throw new Error(JSON.stringify(r));
  const stateId = await tmp.store.saveQuery(r.verdict.query as unknown as Record<string, unknown>);
  if (!stateId) throw new Error('state not saved');
  return { verdict: r.verdict, stateId };
}

const errorOf = (r: Reply) => (r.kind === 'error' ? r.error.message : `a ${r.kind} reply`);

/** Discord-like: numeric codes, the bot's own Pin Messages checked by the port. */
function discordLikePort(o: { botMayPin?: boolean; fail?: { code: number } } = {}) {
  const calls: string[] = [];
  const port: PinPort = {
    words: WORDS,
    cannotPin: () => (o.botMayPin === false ? 'I need Pin Messages' : undefined),
    pin: async () => {
      calls.push('pin');
      if (o.fail) throw o.fail;
    },
    refused: (e) => ((e as { code: number }).code === 30003 ? 'channel full' : 'discord refused'),
  };
  return { port, calls };
}

/** Slack-like: string codes in `data.error`; already_pinned counts as pinned. */
function slackLikePort(fail?: string) {
  const calls: string[] = [];
  const port: PinPort = {
    words: WORDS,
    pin: async () => {
      calls.push('pins.add');
      if (fail) throw { data: { error: fail } };
    },
    refused: (e) => {
      const code = (e as { data: { error: string } }).data.error;
      return code === 'already_pinned' ? undefined : `slack says ${code}`;
    },
  };
  return { port, calls };
}

describe('recompute from a state id', () => {
  it('a quant picked in the select recomputes the stored question with that quant', async () => {
    const { ctx } = counted(true);
    const { stateId } = await storedVerdict(ctx);
    const r = await picked(ctx, WORDS, stateId, selectChange('quant', 'Q8_0'));
    expect(r.kind === 'verdict' && r.verdict.query.quant).toBe('Q8_0');
  });

  it('a context picked in the select is read as a number of tokens', async () => {
    expect(selectChange('context', '32768')).toEqual({ contextTokens: 32768 });
    expect(selectChange('quant', 'Q6_K')).toEqual({ quant: 'Q6_K' });
  });

  it('a state the tmp.store no longer has is "too old", in the platform\'s words', async () => {
    const { ctx } = counted(true);
    expect(errorOf(await picked(ctx, WORDS, 'gone', {}))).toBe('too old to change');
    expect(errorOf(await picked(ctx, WORDS, '', {}))).toBe('too old to change');
    const found = await verdictOf(ctx, WORDS, undefined);
    expect('reply' in found && errorOf(found.reply)).toBe('too old to change');
  });

  it('Sources finds the verdict a stored state stands for', async () => {
    const { ctx } = counted(true);
    const { verdict, stateId } = await storedVerdict(ctx);
    const found = await verdictOf(ctx, WORDS, stateId);
    expect('verdict' in found && found.verdict.verdict.headline).toBe(verdict.verdict.headline);
  });

  it('the quant choices are one list, Q4_K_M first', async () => {
    expect(QUANT_CHOICES[0]).toBe('Q4_K_M');
    expect(new Set(QUANT_CHOICES).size).toBe(QUANT_CHOICES.length);
  });
});

describe('the pin flow with a Discord-like port', () => {
  it('pins, stores the pin with its state id, and asks the member once', async () => {
    const { ctx, asked } = counted(true);
    const { stateId } = await storedVerdict(ctx);
    const { port, calls } = discordLikePort();
    const r = await pinVerdict(ctx, port, { channelId: 'c1', messageId: 'm1', stateId });
    expect(r.kind).toBe('pinned');
    expect(calls).toEqual(['pin']);
    expect(asked()).toBe(1);
    expect((await tmp.store.list('discord', 'g1', 1)).items[0]?.messageId).toBe('m1');
    const db = new Database(tmp.path, { readonly: true });
    expect(db.prepare('SELECT message_id, state_id FROM pinned_verdicts').all()).toEqual([
      { message_id: 'm1', state_id: stateId },
    ]);
    db.close();
  });

  it('once asked in its own channel, the member is asked again only about another channel', async () => {
    const { ctx, asked } = counted(true);
    const here = askedHere(ctx);
    expect(await here.canModerate()).toBe(true);
    expect(await here.canModerate('c1')).toBe(true);
    expect(asked()).toBe(0);
    expect(await here.canModerate('c2')).toBe(true);
    expect(asked()).toBe(1);
  });

  it('a member who may not pin is refused before the platform is called', async () => {
    const { ctx } = counted(false);
    const { stateId } = await storedVerdict(ctx);
    const { port, calls } = discordLikePort();
    expect(errorOf(await pinVerdict(ctx, port, { channelId: 'c1', messageId: 'm1', stateId }))).toBe('only moderators');
    expect(calls).toEqual([]);
  });

  it("the platform's own refusal comes next, still without a pin call", async () => {
    const { ctx } = counted(true);
    const { stateId } = await storedVerdict(ctx);
    const { port, calls } = discordLikePort({ botMayPin: false });
    const started = await startPin(ctx, port, { channelId: 'c1', messageId: 'm1', stateId });
    expect('done' in started && errorOf(started.done)).toBe('I need Pin Messages');
    expect(calls).toEqual([]);
  });

  it('a gone state is "too old to pin"', async () => {
    const { ctx } = counted(true);
    const { port, calls } = discordLikePort();
    expect(errorOf(await pinVerdict(ctx, port, { channelId: 'c1', messageId: 'm1', stateId: 'gone' }))).toBe(
      'too old to pin',
    );
    expect(calls).toEqual([]);
  });

  it("a refused pin call is answered in the port's words and nothing is stored", async () => {
    const { ctx } = counted(true);
    const { stateId } = await storedVerdict(ctx);
    const { port } = discordLikePort({ fail: { code: 30003 } });
    const started = await startPin(ctx, port, { channelId: 'c1', messageId: 'm1', stateId });
    expect('pinning' in started).toBe(true);
    if ('pinning' in started) expect(errorOf(await started.pinning)).toBe('channel full');
    expect((await tmp.store.list('discord', 'g1', 1)).items).toEqual([]);
  });
});

describe('the pin flow with a Slack-like port', () => {
  it('already_pinned counts as pinned and is stored', async () => {
    const { ctx } = counted(true);
    const { stateId } = await storedVerdict(ctx);
    const { port, calls } = slackLikePort('already_pinned');
    expect((await pinVerdict(ctx, port, { channelId: 'c1', messageId: 'ts1', stateId })).kind).toBe('pinned');
    expect(calls).toEqual(['pins.add']);
    expect((await tmp.store.list('discord', 'g1', 1)).items).toHaveLength(1);
  });

  it('another Slack error is answered plainly', async () => {
    const { ctx } = counted(true);
    const { stateId } = await storedVerdict(ctx);
    const { port } = slackLikePort('not_in_channel');
    expect(errorOf(await pinVerdict(ctx, port, { channelId: 'c1', messageId: 'ts1', stateId }))).toBe(
      'slack says not_in_channel',
    );
  });
});

describe('the rate limit in front of follow-ups', () => {
  it('lets a member through until the limit, then answers with the cooldown', async () => {
    expect(await overLimit(undefined, 'g1', 'u1')).toBeUndefined();
    const limiter = new RateLimiter(
      { user: { capacity: 1, perMinute: 1 }, server: { capacity: 60, perMinute: 240 } },
      () => 0,
    );
    expect(await overLimit(limiter, 'g1', 'u1')).toBeUndefined();
    const refused = await overLimit(limiter, 'g1', 'u1');
    expect(refused && errorOf(refused)).toBe("Easy there: you've asked a lot in a short time. Try again in 60 s.");
  });
});
