/**
 * /ask, "Answer with whichgpu" and an ask-back's buttons, through the signed HTTP endpoint and
 * through the gateway (discord.js's own interaction handling), as the other Discord tests do.
 */
import { describe, expect, it } from 'vitest';
import { ANSWER_WITH, saveChoices } from '../../commands/ask.js';
import { commandDefinitions } from '../../src/discord/registration.js';
import { decodeChoice, decodeCustomId, encodeChoice, encodeCustomId } from '../../src/render/discord-ids.js';
import { DISCORD_LIMITS } from '../../src/render/discord.js';
import { CHANNEL, command, component, GUILD, messageCommand, TARGET } from './helpers.js';
import { gatewayPerFile } from './gateway-harness.js';
import { discordHttpApp } from './http-app.js';

/** A question whose reading is stable while the core's reading improves. */
const STABLE = 'llama 3.3 70b on a 5090 or mac studio';
const LINK = `https://discord.com/channels/${GUILD}/${CHANNEL}/${TARGET}`;

interface Message {
  type: number;
  data: {
    content?: string;
    embeds?: { title: string }[];
    components?: { components: { custom_id: string }[] }[];
    flags?: number;
    allowed_mentions?: unknown;
  };
}
const isEphemeral = (m: Message) => ((m.data.flags ?? 0) & 64) === 64;

describe('registration', () => {
  it('registers /ask with a required question, and the message command "Answer with whichgpu" (type 3)', () => {
    const defs = commandDefinitions() as {
      name: string;
      type?: number;
      description?: string;
      options?: { name: string; required: boolean; max_length?: number }[];
      integration_types: number[];
      contexts: number[];
    }[];
    const ask = defs.find((d) => d.name === 'ask')!;
    expect(ask.options).toEqual([expect.objectContaining({ name: 'question', required: true, max_length: 2000 })]);
    expect(ask.description!.length).toBeLessThanOrEqual(100);
    const answer = defs.find((d) => d.type === 3)!;
    expect(answer).toMatchObject({ name: ANSWER_WITH, integration_types: [0, 1], contexts: [0, 1, 2] });
    expect(answer.name.length).toBeLessThanOrEqual(32);
    expect(answer).not.toHaveProperty('description');
    expect(answer).not.toHaveProperty('options');
  });
});

describe('Discord HTTP endpoint: ask', () => {
  const http = discordHttpApp();
  const post = async (payload: unknown) => (await http.post(payload)).json as Message;

  it('/ask answers a question in plain words publicly with a verdict and its components', async () => {
    const m = await post(command('ask', { question: STABLE }));
    expect(m.type).toBe(4);
    expect(isEphemeral(m)).toBe(false);
    expect(m.data.embeds![0]!.title).toMatch(/^Llama 3\.3 70B/);
    expect(m.data.components!.length).toBeGreaterThan(0);
  });

  it('/ask without a question is answered privately with an example', async () => {
    const m = await post(command('ask', { question: '  ' }));
    expect(isEphemeral(m)).toBe(true);
    expect(m.data.content).toMatch(/Ask a question/);
  });

  it('"Answer with whichgpu" answers the message publicly, led by a short quote of it and a link to it', async () => {
    const m = await post(messageCommand(ANSWER_WITH, `${STABLE}?\nthanks all @everyone`));
    expect(m.type).toBe(4);
    expect(isEphemeral(m)).toBe(false);
    const [quote, link] = m.data.content!.split('\n');
    expect(quote).toBe(`> ${STABLE}? thanks all @everyone`);
    expect(link).toBe(LINK);
    expect(m.data.allowed_mentions).toEqual({ parse: [] });
    expect(m.data.embeds![0]!.title).toMatch(/^Llama 3\.3 70B/);
  });

  it('"Answer with whichgpu" quotes at most 200 characters of a long message', async () => {
    const m = await post(messageCommand(ANSWER_WITH, `${STABLE} ${'and some more words '.repeat(50)}`));
    const quote = m.data.content!.split('\n')[0]!;
    expect(quote.length).toBeLessThanOrEqual(202);
    expect(quote).toMatch(/…$/);
  });

  it('"Answer with whichgpu" on a message without text is answered privately, saying what to do', async () => {
    for (const content of ['', '   ']) {
      const m = await post(messageCommand(ANSWER_WITH, content));
      expect(isEphemeral(m)).toBe(true);
      expect(m.data.content).toMatch(/no text for me to read/);
    }
  });

  it("an ask-back's button answers its choice as a new public message; a gone state is told privately", async () => {
    const stateId = (await saveChoices(http.t.store, [
      { label: 'no', text: 'zzzz' },
      { label: 'RTX 5090 vs Mac Studio', text: STABLE },
    ]))!;
    const m = (await http.post(component(encodeCustomId('ask', encodeChoice(stateId, 1)), undefined))).json as Message;
    expect(m.type).toBe(4);
    expect(isEphemeral(m)).toBe(false);
    expect(m.data.embeds![0]!.title).toMatch(/^Llama 3\.3 70B/);
    for (const id of [encodeCustomId('ask', encodeChoice('gone00000000', 0)), 'ask:nonsense']) {
      const gone = (await http.post(component(id, undefined))).json as Message;
      expect(isEphemeral(gone)).toBe(true);
      expect(gone.data.content).toMatch(/too old/);
    }
  });
});

describe('Discord gateway: ask', () => {
  const gateway = gatewayPerFile('whichgpu-gateway-ask-');

  /** Feeds a raw INTERACTION_CREATE payload to discord.js and returns the interaction callback it sent. */
  const deliver = async (payload: { id: string; token: string }) => (await gateway.deliver(payload)).body as Message;

  it('/ask answers publicly with a verdict', async () => {
    const m = await deliver(command('ask', { question: STABLE }));
    expect(m.type).toBe(4);
    expect(isEphemeral(m)).toBe(false);
    expect(m.data.embeds![0]!.title).toMatch(/^Llama 3\.3 70B/);
  });

  it('"Answer with whichgpu" reads the target message that discord.js resolved, and answers with its quote and link', async () => {
    const m = await deliver(messageCommand(ANSWER_WITH, STABLE));
    expect(m.type).toBe(4);
    expect(isEphemeral(m)).toBe(false);
    expect(m.data.content).toBe(`> ${STABLE}\n${LINK}`);
    expect(m.data.embeds![0]!.title).toMatch(/^Llama 3\.3 70B/);
    // The verdict's own components still carry a stored state.
    const ids = m.data.components!.flatMap((r) => r.components.map((c) => c.custom_id));
    expect(ids.every((id) => id.length <= DISCORD_LIMITS.customId)).toBe(true);
  });

  it('"Answer with whichgpu" on a message without text answers privately', async () => {
    const m = await deliver(messageCommand(ANSWER_WITH, ''));
    expect(isEphemeral(m)).toBe(true);
    expect(m.data.content).toMatch(/no text for me to read/);
  });

  it("an ask-back's button answers its choice publicly", async () => {
    const stateId = (await saveChoices(gateway.store, [{ label: 'RTX 5090 vs Mac Studio', text: STABLE }]))!;
    const customId = encodeCustomId('ask', encodeChoice(stateId, 0));
    expect(decodeChoice(decodeCustomId(customId).arg)).toEqual({ stateId, index: 0 });
    const m = await deliver(component(customId, undefined));
    expect(isEphemeral(m)).toBe(false);
    expect(m.data.embeds![0]!.title).toMatch(/^Llama 3\.3 70B/);
  });
});
