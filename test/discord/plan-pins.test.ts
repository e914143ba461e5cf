/**
 * A plan pinned like a verdict (issue 15): /plan's 📌 button through the signed HTTP endpoint pins
 * the message and stores the plan; the same plan asked again names the pin; /verdicts lists it and
 * a refresh computes it again with today's data.
 */
import { describe, expect, it } from 'vitest';
import { CHANNEL, command, component, GUILD } from './helpers.js';
import { discordHttpApp } from './http-app.js';

const http = discordHttpApp();
const { fake, post } = http;

describe('pinning a plan', () => {
  it('the plan carries a Pin button; a moderator pins it, the plan asked again names the pin, and a refresh recomputes it', async () => {
    const first = await post(command('plan', { machine: 'rtx-3090', workflow: 'coding' }));
    const embed = first.json.data.embeds[0];
    expect(embed.description).toMatch(/^\*\*Best for coding: RTX 3090: .+ \(~\d+ tok\/s\)\*\*$/);
    const button = first.json.data.components[0].components[0];
    expect(button).toMatchObject({ label: 'Pin plan', emoji: { name: '📌' } });
    expect(button.custom_id).toMatch(/^pin:[0-9a-f]{12}$/);

    const member = await post(component(button.custom_id as string, undefined, { moderator: false }));
    expect(member.json.data.content).toMatch(/Only moderators/);

    const pinned = await post(
      component(button.custom_id as string, undefined, { moderator: true, messageId: '333333333333333377' }),
    );
    const id = Number(/Pinned as #(\d+)/.exec(pinned.json.data.content as string)![1]);
    await fake.waitFor((x) => x.method === 'PUT' && x.path === `/channels/${CHANNEL}/messages/pins/333333333333333377`);
    const stored = (await http.t.store.get('discord', GUILD, id))!;
    expect(stored.headline).toBe((embed.description as string).replace(/\*\*/g, ''));
    expect(stored.query).toMatchObject({ plan: { devices: ['rtx-3090'], workflow: 'coding', minTokensPerSec: 8 } });
    expect(stored.winner).not.toBe('none');

    // The same plan, asked again in other words, names the pin.
    const again = await post(command('plan', { machine: 'RTX 3090', workflow: 'coding' }));
    expect(again.json.data.embeds[0].description).toMatch(
      new RegExp(
        `^📌 A moderator pinned this plan as #${id} on \\d{4}-\\d\\d-\\d\\d: https://discord.com/channels/${GUILD}/${CHANNEL}/333333333333333377`,
      ),
    );

    const list = await post(command('verdicts'));
    expect(JSON.stringify(list.json.data.embeds[0])).toContain('Best for coding: RTX 3090');

    const refreshed = await post(component(`refresh:${id}`, undefined, { moderator: true }));
    expect(refreshed.json.data.content).toMatch(
      new RegExp(`#${id}[\\s\\S]*nothing changed: same best pick and headline with today's data`),
    );
    expect((await http.t.store.get('discord', GUILD, id))!.refreshedAt).not.toBeNull();
  });

  it('a refresh of a plan pinned on older data says what changed: the best pick and the headline', async () => {
    const first = await post(command('plan', { machine: 'rtx-4090', workflow: 'chat' }));
    const pinButton = first.json.data.components[0].components[0].custom_id as string;
    const pinned = await post(component(pinButton, undefined, { moderator: true, messageId: '333333333333333378' }));
    const id = Number(/Pinned as #(\d+)/.exec(pinned.json.data.content as string)![1]);
    // As if pinned when the catalog said otherwise.
    await http.t.store.refresh('discord', GUILD, id, {
      headline: 'Best for chat: RTX 4090: Llama 2 7B Q8_0 (~100 tok/s)',
      winner: 'llama-2-7b',
      dataVersion: 'old',
    });
    const r = await post(component(`refresh:${id}`, undefined, { moderator: true }));
    const text = r.json.data.content as string;
    expect(text).toMatch(/best pick: llama-2-7b → [a-z0-9.-]+/);
    expect(text).toMatch(
      /headline: "Best for chat: RTX 4090: Llama 2 7B Q8_0 \(~100 tok\/s\)" → "Best for chat: RTX 4090: /,
    );
    expect(text).toMatch(/data: old → /);
  });
});
