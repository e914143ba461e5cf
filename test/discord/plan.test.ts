/**
 * /plan through the signed HTTP endpoint: registration, machine autocomplete, and the plan as one
 * public embed within Discord's limits, naming each machine and its picks.
 */
import { describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../src/discord/registration.js';
import { DISCORD_LIMITS } from '../../src/render/discord.js';
import { command } from './helpers.js';
import { discordHttpApp } from './http-app.js';

interface Embed {
  title: string;
  fields: { name: string; value: string }[];
  footer?: { text: string };
}
interface Message {
  type: number;
  data: { content?: string; embeds?: Embed[]; flags?: number };
}
const isEphemeral = (m: Message) => ((m.data.flags ?? 0) & 64) === 64;

/** Every limit of an embed, and 6000 characters in all. */
function expectWithinLimits(e: Embed): void {
  expect(e.title.length).toBeLessThanOrEqual(DISCORD_LIMITS.title);
  expect(e.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
  for (const f of e.fields) {
    expect(f.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
    expect(f.value.length).toBeGreaterThan(0);
    expect(f.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
  }
  expect((e.footer?.text ?? '').length).toBeLessThanOrEqual(DISCORD_LIMITS.footer);
  const total =
    e.title.length + (e.footer?.text.length ?? 0) + e.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.total);
}

describe('/plan registration', () => {
  it('registers /plan with machine options that autocomplete, workflow and context choices, and numbers', () => {
    const defs = commandDefinitions() as {
      name: string;
      options?: { name: string; type: number; autocomplete?: boolean; choices?: { value: string }[] }[];
    }[];
    const plan = defs.find((d) => d.name === 'plan')!;
    const o = Object.fromEntries(plan.options!.map((x) => [x.name, x]));
    expect(Object.keys(o)).toEqual(['machine', 'machine2', 'current', 'workflow', 'min_speed', 'context', 'budget']);
    for (const m of ['machine', 'machine2', 'current']) expect(o[m]).toMatchObject({ type: 3, autocomplete: true });
    expect(o.workflow!.choices!.map((c) => c.value)).toEqual(['chat', 'coding', 'rag', 'image', 'video', 'fine-tune']);
    expect(o.context!.choices!.map((c) => c.value)).toContain('32k');
    expect(o.min_speed!.type).toBe(10);
    expect(o.budget!.type).toBe(10);
  });
});

describe('Discord HTTP endpoint: /plan', () => {
  const http = discordHttpApp();
  const post = async (payload: unknown) => (await http.post(payload)).json as Message;

  it('an image plan speaks of seconds per image, a video plan of time per clip', async () => {
    const image = await post(command('plan', { machine: 'rtx-4090', workflow: 'image' }));
    expect(image.data.embeds![0]!.title).toMatch(/^Plan · image · /);
    expect(image.data.embeds![0]!.fields[0]!.value).toMatch(/^1\. .+ · ~[\d.]+ (s|min)\/image \(/);
    expect(JSON.stringify(image.data.embeds)).not.toMatch(/tok\/s/);
    const video = await post(command('plan', { machine: 'rtx-4090', workflow: 'video' }));
    expect(video.data.embeds![0]!.fields[0]!.value).toMatch(/^1\. .+ · ~[\d.]+ (s|min)\/clip \(/);
  });

  it('machine autocompletes any machine, as /compare against does', async () => {
    const { json } = await http.post(command('plan', { machine: '3090' }, { focused: 'machine' }));
    expect(json.type).toBe(8);
    const values = (json.data.choices as { value: string }[]).map((c) => c.value);
    expect(values).toContain('rtx-3090');
    expect(values.length).toBeLessThanOrEqual(25);
    const current = await http.post(command('plan', { current: '2x 3090' }, { focused: 'current' }));
    expect((current.json.data.choices as { value: string }[])[0]!.value).toMatch(/^2x-rtx-3090/);
  });

  it('answers publicly with an embed: the title, a field per machine with its picks and how to run them', async () => {
    const m = await post(
      command('plan', { machine: 'rtx-3090', machine2: 'rtx-5090', workflow: 'coding', context: '32k', min_speed: 20 }),
    );
    expect(m.type).toBe(4);
    expect(isEphemeral(m)).toBe(false);
    const e = m.data.embeds![0]!;
    expect(e.title).toBe('Plan · coding · 32k context · 20+ tok/s, all in GPU memory');
    expect(e.fields[0]!.name).toBe('RTX 3090');
    expect(e.fields[1]!.name).toBe('RTX 5090');
    for (const f of e.fields.slice(0, 2)) {
      // "1. <model> <quant> · ~N tok/s ...", then the run command in a code span on the next line.
      expect(f.value).toMatch(/^1\. .+ · ~\d+ tok\/s/);
      expect(f.value.split('\n')[1]).toMatch(
        /^`(llama-server|mlx_lm\.server|OLLAMA_CONTEXT_LENGTH=\d+ ollama run) .+`$/,
      );
      expect(f.value).toMatch(/-c 32768|OLLAMA_CONTEXT_LENGTH=32768/);
    }
    expect(e.fields.some((f) => f.name === 'Only on one machine')).toBe(true);
    expect(e.footer!.text).toMatch(/20 tok\/s or more/);
    expectWithinLimits(e);
  });

  it('current: the machine you have, against the default pair, with the upgrade lines', async () => {
    const e = (await post(command('plan', { current: 'rtx-3090', workflow: 'chat' }))).data.embeds![0]!;
    expect(e.fields.map((f) => f.name)).toEqual(
      expect.arrayContaining(['RTX 3090 (yours)', 'RTX 5090 (candidate)', 'Upgrade']),
    );
    expect(e.fields.find((f) => f.name === 'Upgrade')!.value).toMatch(/^RTX 5090 over RTX 3090: /);
    expectWithinLimits(e);
  });

  it('without options, plans the default pair with the server workflow', async () => {
    const e = (await post(command('plan'))).data.embeds![0]!;
    expect(e.title).toMatch(/^Plan · chat · /);
    expect(e.fields.slice(0, 2).map((f) => f.name)).toEqual(['RTX 5090', 'M4 Max 128GB']);
    expectWithinLimits(e);
  });

  it('a machine it cannot read is answered privately with what to type', async () => {
    const m = await post(command('plan', { machine: 'zzqx-9999' }));
    expect(isEphemeral(m)).toBe(true);
    expect(m.data.content).toBeTruthy();
  });
});
