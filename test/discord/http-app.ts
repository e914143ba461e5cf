/** The Discord HTTP endpoint on a test app with a fake Discord API, for the HTTP test files. */
import { afterAll, beforeAll } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { FakeDiscordApi } from '../fakes/discord-api.js';
import { serveGuild, signBody, testKeys } from './helpers.js';

/**
 * Starts the app and the fake before the file's tests and stops them after; `post` signs and sends
 * (an answer with a chart comes back as its payload_json and its file parts). `env` adds settings (CHARTS=on).
 */
export function discordHttpApp(env: Record<string, string> = {}) {
  const keys = testKeys();
  const fake = new FakeDiscordApi();
  let t: TestApp | undefined;
  beforeAll(async () => {
    await fake.start();
    serveGuild(fake);
    t = await startTestApp({
      DISCORD_TRANSPORT: 'http',
      DISCORD_PUBLIC_KEY: keys.publicKeyHex,
      DISCORD_TOKEN: 'test-token',
      DISCORD_API_URL: fake.url,
      ...env,
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake.stop();
  });
  const post = async (payload: unknown, headers?: Record<string, string>) => {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const res = await fetch(`http://127.0.0.1:${t!.app.port}/discord/interactions`, {
      method: 'POST',
      body,
      headers: headers ?? signBody(keys.privateKey, body),
    });
    // An answer with a chart is multipart/form-data: its JSON is the payload_json part.
    if (/^multipart\/form-data/.test(res.headers.get('content-type') ?? '')) {
      const form = await res.formData();
      const files = [...form.entries()].flatMap(([name, v]) => (typeof v === 'string' ? [] : [{ name, file: v }]));
      return { status: res.status, json: JSON.parse(String(form.get('payload_json'))), files };
    }
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  };
  return {
    keys,
    fake,
    post,
    get t(): TestApp {
      return t!;
    },
  };
}
