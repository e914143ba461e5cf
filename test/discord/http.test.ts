import { describe, expect, it } from 'vitest';
import { DISCORD_LIMITS } from '../../src/render/discord.js';
import { command, component, ping, signBody, testKeys } from './helpers.js';
import { discordHttpApp } from './http-app.js';

const http = discordHttpApp();
const { keys, post } = http;

describe('POST /discord/interactions', () => {
  it('answers PING with PONG', async () => {
    expect(await post(ping())).toEqual({ status: 200, json: { type: 1 } });
  });

  it('refuses a bad signature, a missing one, a stale timestamp and another key with 401', async () => {
    const body = JSON.stringify(ping());
    const good = signBody(keys.privateKey, body);
    expect((await post(body, { ...good, 'x-signature-ed25519': '00'.repeat(64) })).status).toBe(401);
    expect((await post(body, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await post(body, { ...good, 'x-signature-ed25519': 'zz' })).status).toBe(401);
    const old = String(Math.floor(Date.now() / 1000) - 3600);
    expect((await post(body, signBody(keys.privateKey, body, old))).status).toBe(401);
    expect((await post(body, signBody(testKeys().privateKey, body))).status).toBe(401);
    // The signature covers the exact bytes: a re-serialised body fails.
    expect((await post(`${body} `, good)).status).toBe(401);
  });

  it('answers signed garbage with 400, never 500', async () => {
    expect((await post('{not json')).status).toBe(400);
    expect((await post({ hello: 'world' })).status).toBe(400);
  });

  it('answers a signed interaction with malformed fields with 400 and a plain error, never 500', async () => {
    const withMember = (member: Record<string, unknown>) => {
      const c = command('help');
      return { ...c, member: { ...c.member, ...member } };
    };
    const malformed = [
      withMember({ permissions: 'not-a-number' }),
      withMember({ permissions: 12 }),
      withMember({ roles: 'everyone' }),
      { ...command('help'), app_permissions: '-1' },
      { ...command('help'), data: { name: 'help', options: 'x' } },
      { ...command('help'), data: null },
      { ...component('page:2', undefined), message: null },
      { ...command('help'), token: 7 },
    ];
    for (const payload of malformed) {
      const r = await post(payload);
      expect(r.status, JSON.stringify(payload).slice(0, 300)).toBe(400);
      expect(r.json).toEqual({ error: expect.any(String) });
    }
  });

  it('/compare answers in the initial response with a public embed, selects and buttons', async () => {
    const { status, json } = await post(command('compare', { model: 'qwen2.5-coder:32b', workflow: 'coding' }));
    expect(status).toBe(200);
    expect(json.type).toBe(4);
    expect(json.data.flags).toBeUndefined();
    const embed = json.data.embeds[0];
    expect(embed.title).toBe('Qwen2.5-Coder 32B · Q4_K_M · 32k context · coding');
    expect(embed.description).toMatch(/RTX 5090/);
    expect(embed.color).toBe(0x76b900);
    const ids = json.data.components.flatMap((r: { components: { custom_id: string }[] }) =>
      r.components.map((c) => c.custom_id),
    );
    expect(ids.map((id: string) => id.split(':')[0])).toEqual(['quant', 'ctx', 'pin', 'src']);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(DISCORD_LIMITS.customId);
  });

  it('bad input gets a short ephemeral answer that says what to type', async () => {
    const { json } = await post(command('compare', { model: 'qwen2.5-codr-32b' }));
    expect(json.type).toBe(4);
    expect(json.data.flags).toBe(64);
    expect(json.data.content).toMatch(/Did you mean Qwen2\.5-Coder 32B\? Try model:qwen2\.5-coder:32b/);
    const range = await post(command('compare', { model: 'llama-3.1-8b', hours: 30 }));
    expect(range.json.data.content).toMatch(/between 0\.1 and 24/);
  });

  it('autocomplete serves at most 25 choices from memory, what was typed first', async () => {
    const { json } = await post(command('compare', { model: 'qwen' }, { focused: 'model' }));
    expect(json.type).toBe(8);
    expect(json.data.choices.length).toBeGreaterThan(3);
    expect(json.data.choices.length).toBeLessThanOrEqual(25);
    expect(json.data.choices[0]).toEqual({ name: 'qwen', value: 'qwen' });
    const all = await post(command('compare', { model: '' }, { focused: 'model' }));
    expect(all.json.data.choices).toHaveLength(25);
  });

  it('against autocompletes any machine people own, read from what they typed, and the choice compares', async () => {
    const typed = await post(command('compare', { against: '2x 3090 64gb ddr4' }, { focused: 'against' }));
    expect(typed.json.data.choices[0].value).toBe('2x-rtx-3090-ram-64gb');
    const chips = await post(command('compare', { against: '3060' }, { focused: 'against' }));
    const values = chips.json.data.choices.map((c: { value: string }) => c.value);
    expect(values).toEqual(expect.arrayContaining(['rtx-3060-12gb', 'rtx-3060-8gb']));
    expect(values.length).toBeLessThanOrEqual(25);
    const verdict = await post(command('compare', { model: 'llama 3.1 8b', against: 'rtx-3060-12gb' }));
    expect(verdict.json.data.embeds[0].description ?? JSON.stringify(verdict.json.data.embeds[0])).toMatch(/RTX 3060/);
  });

  it('the quant and context selects update the message in place', async () => {
    const first = await post(command('compare', { model: 'llama 3.3 70b' }));
    const quantId = first.json.data.components[0].components[0].custom_id as string;
    const ctxId = first.json.data.components[1].components[0].custom_id as string;
    const q = await post(component(quantId, ['Q2_K']));
    expect(q.json.type).toBe(7);
    expect(q.json.data.embeds[0].title).toMatch(/Q2_K/);
    const c = await post(component(ctxId, ['65536']));
    expect(c.json.type).toBe(7);
    expect(c.json.data.embeds[0].title).toMatch(/64k context/);
  });

  it('Sources answers ephemerally', async () => {
    const first = await post(command('compare', { model: 'llama-3.1-8b' }));
    const src = first.json.data.components[2].components[1].custom_id as string;
    const r = await post(component(src, undefined));
    expect(r.json.data.flags).toBe(64);
    expect(r.json.data.embeds[0].title).toBe('Sources');
  });
});

describe('GET /healthz', () => {
  it('is 200 when ready', async () => {
    const res = await fetch(`http://127.0.0.1:${http.t.app.port}/healthz`);
    expect(res.status).toBe(200);
  });
});

describe('the HTTP boundary', () => {
  it('an image /compare against a device without image figures is answered, not dropped', async () => {
    const { status, json } = await post(command('compare', { workflow: 'image', against: 'ryzen-ai-max-395-128gb' }));
    expect(status).toBe(200);
    expect(json.type).toBe(4);
    expect(json.data.embeds[0].title).toMatch(/Image generation/);
  });
});
