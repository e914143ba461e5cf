/** Slack over HTTP on a test app with a fake Slack API, for the HTTP test files: signed posts, slash commands, clicks. */
import { afterAll, beforeAll, expect } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { blockActions, slackSignedHeaders, slashCommand } from './helpers.js';

export const SECRET = 'test-signing-secret';
export const fake = new FakeSlackApi();
let app: TestApp;
let seq = 0;

/** The running app (started before the file's tests). */
export const t = {
  get app() {
    return app.app;
  },
  get store() {
    return app.store;
  },
};

/**
 * Starts the fake (admin UADMIN, group SMODS of UGROUPMOD) and the app before the file's tests;
 * `env` adds to the app's configuration (MODEL_LOOKUP and HF_ENDPOINT for a loopback Hub).
 */
export function slackHttpApp(env: () => Record<string, string> = () => ({})): void {
  beforeAll(async () => {
    await fake.start();
    fake.admins.add('UADMIN');
    fake.groups.SMODS = ['UGROUPMOD'];
    app = await startTestApp({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: fake.url,
      SLACK_MODERATORS: 'ULISTED',
      ...env(),
    });
  });
  afterAll(async () => {
    await app.close();
    await fake.stop();
  });
}

export const sign = (body: string, ts?: number) => slackSignedHeaders(SECRET, body, ts);

export async function postForm(form: Record<string, string>, headers?: Record<string, string>) {
  const body = new URLSearchParams(form).toString();
  const res = await fetch(`http://127.0.0.1:${t.app.port}/slack/events`, {
    method: 'POST',
    body,
    headers: headers ?? sign(body),
  });
  return { status: res.status, text: await res.text() };
}

export async function slash(text: string, user = 'UMEMBER', extra?: Record<string, string>) {
  const id = `cmd-${++seq}`;
  const r = await postForm(slashCommand(text, user, fake.responseUrl(id), extra));
  expect(r.status).toBe(200);
  const call = await fake.waitFor((c) => c.method === `/response/${id}`);
  return call.body as {
    response_type?: string;
    replace_original?: boolean;
    text: string;
    blocks: { type: string; elements?: { action_id: string; value?: string; options?: { value: string }[] }[] }[];
  };
}

export async function click(action: Record<string, unknown>, user = 'UMEMBER', extra?: Record<string, unknown>) {
  const id = `act-${++seq}`;
  const r = await postForm({ payload: JSON.stringify(blockActions(action, user, fake.responseUrl(id), extra)) });
  expect(r.status).toBe(200);
  return (await fake.waitFor((c) => c.method === `/response/${id}`)).body as {
    response_type?: string;
    replace_original?: boolean;
    text: string;
    blocks: unknown[];
  };
}

export function actionsOf(msg: Awaited<ReturnType<typeof slash>>) {
  return msg.blocks.find((b) => b.type === 'actions')!.elements!;
}
