/**
 * Charts in Discord answers (issue 18), against the loopback fake: the HTTP endpoint answers
 * multipart/form-data (payload_json with the embed's attachment:// image and the attachment's alt
 * text, the PNG as files[0]); the gateway's discord.js posts the same to the interaction callback;
 * a select replaces the chart; a deferred answer's webhook edit carries it; and a chart that fails
 * or is late leaves a plain JSON text answer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followUp } from '../../src/discord/handlers.js';
import { discordInteractionsRoute } from '../../src/discord/http-endpoint.js';
import { decodeInteraction, type InteractionResult } from '../../src/discord/interaction.js';
import { answerWithin } from '../../src/discord/pin.js';
import { restPins } from '../../src/discord/rest.js';
import { discordPublicKey } from '../../src/discord/signature.js';
import { compare } from '../../src/core/index.js';
import { createLogger } from '../../src/log.js';
import { ChartDelivery, type ChartRenderer } from '../../src/render/charts/delivery.js';
import { SqliteStore } from '../../src/store/store.js';
import { catalog } from '../helpers/catalog.js';
import { gatewayPerFile } from './gateway-harness.js';
import { captureLog } from '../helpers/log.js';
import { FakeDiscordApi, type RecordedFile } from '../fakes/discord-api.js';
import { readPng } from '../render/charts/read-png.js';
import { APP, command, component, signBody, testKeys } from './helpers.js';
import { discordHttpApp } from './http-app.js';

const http = discordHttpApp({ CHARTS: 'on' });

type Embed = { title: string; image?: { url: string } };
type Payload = {
  type: number;
  data: {
    embeds: Embed[];
    attachments?: { id: number | string; filename?: string; description?: string }[];
    components: { components: { custom_id: string }[] }[];
    content?: string;
  };
};

/** The file part as a reader gets it: a PNG that decodes, at the chart's 2x size. */
async function expectPng(file: Blob | Buffer) {
  const bytes = Buffer.isBuffer(file) ? file : Buffer.from(await file.arrayBuffer());
  const png = readPng(bytes);
  expect(png.width).toBeGreaterThanOrEqual(800);
  expect(png.height).toBeGreaterThanOrEqual(400);
  expect(bytes.length).toBeGreaterThan(10_000);
  expect(bytes.length).toBeLessThan(200_000);
  return bytes;
}

describe('HTTP endpoint: an answer with its chart is multipart/form-data', () => {
  it('/compare: payload_json shows attachment://name in the verdict embed, files[0] is the PNG, the alt text is its description', async () => {
    const r = await http.post(command('compare', { model: 'llama 3.3 70b', workflow: 'chat' }));
    expect(r.status).toBe(200);
    const json = r.json as Payload;
    expect(json.type).toBe(4);
    const attachment = json.data.attachments![0]!;
    expect(attachment).toMatchObject({ id: 0, filename: expect.stringMatching(/^whichgpu-llama-3-3-70b\.png$/) });
    expect(json.data.embeds[0]!.image).toEqual({ url: `attachment://${attachment.filename}` });
    // The alt text names both machines and the figures.
    expect(attachment.description).toMatch(/RTX 5090/);
    expect(attachment.description).toMatch(/M4 Max/);
    expect(attachment.description).toMatch(/\d+ tok\/s/);
    expect(attachment.description!.length).toBeLessThanOrEqual(1024);
    // The rest of the answer is as it was: the selects and buttons, the embed's title.
    expect(json.data.embeds[0]!.title).toBe('Llama 3.3 70B · Q4_K_M · 8k context · chat');
    expect(json.data.components).toHaveLength(3);
    expect(r.files).toHaveLength(1);
    const { name, file } = r.files![0]!;
    expect(name).toBe('files[0]');
    expect((file as File).name).toBe(attachment.filename);
    expect(file.type).toBe('image/png');
    await expectPng(file);
  });

  it('a repeated question gets the same chart from the cache', async () => {
    const a = await http.post(command('compare', { model: 'qwen3 32b', workflow: 'coding' }));
    const started = performance.now();
    const b = await http.post(command('compare', { model: 'qwen3 32b', workflow: 'coding' }));
    const ms = performance.now() - started;
    const bytes = async (r: typeof a) => Buffer.from(await r.files![0]!.file.arrayBuffer());
    expect((await bytes(b)).equals(await bytes(a))).toBe(true);
    // Drawing one takes tens of ms; a cached one is only sent.
    expect(ms).toBeLessThan(500);
  });

  it('a quant select updates the verdict in place with a new chart, replacing the attachments', async () => {
    const first = await http.post(command('compare', { model: 'llama 3.3 70b' }));
    const quantId = (first.json as Payload).data.components[0]!.components[0]!.custom_id;
    const q = await http.post(component(quantId, ['Q2_K']));
    const json = q.json as Payload;
    expect(json.type).toBe(7);
    expect(json.data.embeds[0]!.title).toMatch(/Q2_K/);
    expect(json.data.attachments).toEqual([expect.objectContaining({ id: 0 })]);
    expect(json.data.embeds[0]!.image!.url).toBe(`attachment://${json.data.attachments![0]!.filename}`);
    const before = Buffer.from(await first.files![0]!.file.arrayBuffer());
    const after = await expectPng(q.files![0]!.file);
    expect(after.equals(before)).toBe(false);
  });

  it('/plan carries its chart too', async () => {
    const r = await http.post(command('plan', { machine: 'rtx-3090', workflow: 'coding' }));
    const json = r.json as Payload;
    expect(json.type).toBe(4);
    expect(json.data.attachments![0]!.filename).toBe('whichgpu-plan-coding.png');
    expect(json.data.embeds[0]!.image!.url).toBe('attachment://whichgpu-plan-coding.png');
    await expectPng(r.files![0]!.file);
  });

  it('an answer without a chart (a video verdict) is plain JSON with no image', async () => {
    const r = await http.post(command('compare', { workflow: 'video' }));
    expect(r.files).toBeUndefined();
    const json = r.json as Payload;
    expect(json.type).toBe(4);
    expect(json.data.embeds[0]!.image).toBeUndefined();
    expect(json.data.attachments).toBeUndefined();
  });
});

/** The HTTP route built around a chart renderer of the test's making, called without a server. */
function routeWith(render: ChartRenderer, store: SqliteStore, budgetMs?: number) {
  const keys = testKeys();
  const { lines, log } = captureLog();
  const charts = new ChartDelivery({ catalog, log, render, ...(budgetMs ? { budgetMs } : {}) });
  const route = discordInteractionsRoute({
    catalog,
    store,
    log,
    rest: restPins('t', 'http://127.0.0.1:9/api'),
    publicKey: discordPublicKey(keys.publicKeyHex),
    charts,
  });
  const call = async (payload: unknown) => {
    const body = JSON.stringify(payload);
    const started = performance.now();
    const r = await route(
      { headers: signBody(keys.privateKey, body) } as unknown as IncomingMessage,
      Buffer.from(body),
    );
    return { ...r, ms: performance.now() - started };
  };
  return { call, lines };
}

describe('a chart that fails or is late: the answer goes as text', () => {
  let dir: string;
  let store: SqliteStore;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'whichgpu-charts-'));
    store = SqliteStore.open(join(dir, 'db.sqlite'));
  });
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a renderer that throws: plain JSON, no image, one warning for several failures', async () => {
    const { call, lines } = routeWith(async () => {
      throw new Error('resvg could not read the SVG');
    }, store);
    for (const model of ['phi-4', 'gemma 3 27b']) {
      const r = await call(command('compare', { model }));
      expect(r.status).toBe(200);
      expect(r.headers?.['content-type']).toBeUndefined();
      const json = JSON.parse((r.body as Buffer).toString('utf8')) as Payload;
      expect(json.type).toBe(4);
      expect(json.data.embeds[0]!.image).toBeUndefined();
      expect(json.data.attachments).toBeUndefined();
    }
    const warned = lines.filter((l) => l.msg === 'charts left out of answers (sent as text)');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({
      level: 40,
      failed: 1,
      err: expect.objectContaining({ message: 'resvg could not read the SVG' }),
    });
  });

  it('a renderer slower than the budget: the text answer goes out when the budget ends', async () => {
    const { call } = routeWith(() => new Promise((resolve) => setTimeout(() => resolve(undefined), 5000)), store, 150);
    const r = await call(command('compare', { model: 'mistral small 3' }));
    expect(r.ms).toBeLessThan(1000);
    const json = JSON.parse((r.body as Buffer).toString('utf8')) as Payload;
    expect(json.data.embeds[0]!.image).toBeUndefined();
  });
});

describe('a deferred answer: the webhook edit carries the chart (multipart PATCH)', () => {
  it('an answer deferred past its deadline keeps its files for the edit', async () => {
    const files = [{ name: 'c.png', data: Buffer.from('png'), description: 'alt' }];
    const late = new Promise<InteractionResult>((r) =>
      setTimeout(() => r({ type: 'message', data: { content: 'x' }, files, ephemeral: false }), 50),
    );
    const result = await answerWithin(late, 5, false);
    expect(result.type).toBe('deferred');
    expect(await (result as Extract<InteractionResult, { type: 'deferred' }>).later).toEqual({
      data: { content: 'x' },
      files,
    });
  });

  const fake = new FakeDiscordApi();
  let dir: string;
  let store: SqliteStore;
  beforeAll(async () => {
    await fake.start();
    dir = mkdtempSync(join(tmpdir(), 'whichgpu-charts-'));
    store = SqliteStore.open(join(dir, 'db.sqlite'));
  });
  afterAll(async () => {
    store.close();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('PATCH /webhooks/{app}/{token}/messages/@original with payload_json and files[0]', async () => {
    const charts = new ChartDelivery({ catalog, log: createLogger('silent') });
    const deps = { catalog, store, log: createLogger('silent'), rest: restPins('t', fake.url), charts };
    const payload = command('compare', { model: 'llama 3.1 8b' });
    const decoded = decodeInteraction(payload as unknown as Record<string, unknown> & { type: number });
    if (!decoded.ok) throw new Error(decoded.error);
    const verdict = compare(catalog, { model: 'llama 3.1 8b' });
    if (!verdict.ok) throw new Error(verdict.error.message);
    const chart = (await charts.forVerdict(verdict.value, 5000))!;
    const data = { embeds: [{ title: 'Llama 3.1 8B', image: { url: `attachment://${chart.name}` } }] };
    await followUp(
      decoded.input,
      Promise.resolve({ data, files: [{ name: chart.name, data: chart.png, description: chart.alt }] }),
      deps,
    );
    const edit = await fake.waitFor((r) => r.method === 'PATCH' && r.path.includes(`/webhooks/${APP}/`));
    expect(String(edit.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
    expect(edit.headers.authorization).toBeUndefined();
    const body = edit.body as Payload['data'];
    expect(body.embeds[0]!.image!.url).toBe(`attachment://${chart.name}`);
    expect(body.attachments).toEqual([{ id: 0, filename: chart.name, description: chart.alt }]);
    const file = edit.files![0]!;
    expect(file).toMatchObject({ field: 'files[0]', filename: chart.name, contentType: 'image/png' });
    expect(file.data.equals(chart.png)).toBe(true);
  });
});

describe('gateway transport: discord.js posts the chart to the interaction callback', () => {
  const gateway = gatewayPerFile('whichgpu-gateway-charts-', (log) => ({
    charts: new ChartDelivery({ catalog, log }),
  }));
  const { deliver } = gateway;

  const expectChart = async (call: { body: unknown; files?: RecordedFile[] }, type: number) => {
    const body = call.body as Payload;
    expect(body.type).toBe(type);
    const file = call.files![0]!;
    expect(file.field).toBe('files[0]');
    expect(body.data.embeds[0]!.image!.url).toBe(`attachment://${file.filename}`);
    // discord.js names the part by index and puts the alt text in the payload's attachments.
    expect(body.data.attachments).toEqual([
      expect.objectContaining({ id: '0', description: expect.stringMatching(/RTX 5090/) }),
    ]);
    await expectPng(file.data);
    return file;
  };

  it('reply: multipart with payload_json and the PNG', async () => {
    const call = await deliver(command('compare', { model: 'llama 3.3 70b', workflow: 'chat' }));
    expect(String(call.headers['content-type'])).toMatch(/^multipart\/form-data/);
    await expectChart(call, 4);
  });

  it('update: a select replaces the chart', async () => {
    const first = await deliver(command('compare', { model: 'qwen3 14b' }));
    const before = await expectChart(first, 4);
    const quantId = (first.body as Payload).data.components[0]!.components[0]!.custom_id;
    const update = await deliver(component(quantId, ['Q8_0']));
    const after = await expectChart(update, 7);
    expect(after.data.equals(before.data)).toBe(false);
  });
});
