/**
 * The one text grammar (commands/text.ts) as Slack and the console read it, including the two
 * differences kept from before the renovation: "?" and managing pins from text are the console's.
 */
import { describe, expect, it } from 'vitest';
import { textReply, type TextFrontEnd } from '../../commands/text.js';
import type { Reply } from '../../commands/types.js';
import { CONSOLE_TEXT } from '../../src/console/console.js';
import { SLACK_TEXT } from '../../src/slack/listeners.js';
import { commandContext } from '../helpers/context.js';
import { storePerTest } from '../helpers/store.js';

const tmp = storePerTest('whichgpu-text-');

// The front ends' own options, so a change to either shows here.
const consoleLike: TextFrontEnd = CONSOLE_TEXT;
const slackLike: TextFrontEnd = SLACK_TEXT;

const say = (fe: TextFrontEnd, line: string): Promise<Reply> =>
  textReply(commandContext(tmp.store), fe, line, line.split(/\s+/));

describe('the text grammar', () => {
  it('help, pins (also "verdicts"), settings and free text', async () => {
    for (const fe of [consoleLike, slackLike]) {
      expect((await say(fe, 'help')).kind).toBe('help');
      expect((await say(fe, 'pins')).kind).toBe('pins');
      expect((await say(fe, 'VERDICTS 1')).kind).toBe('pins');
      expect((await say(fe, 'settings')).kind).toBe('settings');
      expect((await say(fe, 'settings set hours=12')).kind).toBe('settings');
      expect((await say(fe, 'llama 3.3 70b for coding')).kind).toBe('verdict');
    }
  });

  it('a bad pair or page is refused with what to type', async () => {
    const bad = await say(slackLike, 'settings set hours');
    expect(bad.kind === 'error' && bad.error.message).toMatch(/"hours" is not key=value/);
    const page = await say(consoleLike, 'pins 0');
    expect(page.kind === 'error' && page.error.message).toBe('page starts at 1');
  });

  it('the console manages pins from text; Slack reads a word after "pins" as a page', async () => {
    const unpin = await say(consoleLike, 'pins unpin 5');
    expect(unpin.kind === 'error' && unpin.error.message).toBe('No pinned verdict #5 in this server.');
    const asPage = await say(slackLike, 'pins unpin 5');
    expect(asPage.kind === 'error' && asPage.error.message).not.toMatch(/No pinned verdict/);
  });

  it('"?" asks for help on the console only; a front end can check pairs before they are saved', async () => {
    expect((await say(consoleLike, '?')).kind).toBe('help');
    // On Slack "?" is no grammar word: it goes to ask as a question (which the core may read as help).
    expect(slackLike.helpWords.has('?')).toBe(false);
    const refusing: TextFrontEnd = {
      ...slackLike,
      settingPairs: async () => ({
        ok: false,
        reply: { kind: 'error', error: { code: 'INVALID_QUERY', message: 'no' } },
      }),
    };
    const r = await say(refusing, 'settings set moderator_role=@mods');
    expect(r.kind === 'error' && r.error.message).toBe('no');
  });
});
