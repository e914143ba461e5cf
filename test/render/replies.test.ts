/**
 * Who sees a reply, per platform. The pin list differs on purpose: public on Discord, private on
 * Slack (kept under "no behaviour change"); a change to either should be deliberate and change this.
 */
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../commands/types.js';
import { discordReply } from '../../src/render/discord-reply.js';
import { slackReply } from '../../src/render/slack-reply.js';

const pins: Extract<Reply, { kind: 'pins' }> = {
  kind: 'pins',
  page: { items: [], page: 1, pages: 1, total: 0 },
  canModerate: true,
};

describe('the pin list', () => {
  it('is public on Discord', () => {
    expect(discordReply(pins).ephemeral).toBe(false);
  });

  it('is private on Slack', () => {
    expect(slackReply(pins, undefined, []).public).toBe(false);
  });
});
