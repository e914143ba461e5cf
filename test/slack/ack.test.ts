/**
 * Slack's 3 s acknowledgement (issue 11, M4): a request is acked before any call to Slack, so a
 * busy event loop cannot let Bolt's unacknowledged-request timer answer 404 first; and when an ack
 * fails anyway, the member is still answered through response_url.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { slackSignedHeaders, slashCommand } from './helpers.js';

const SECRET = 'ack-secret';
const fake = new FakeSlackApi();
let t: TestApp;

beforeAll(async () => {
  await fake.start();
  t = await startTestApp({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.url });
});
afterAll(async () => {
  await t.close();
  await fake.stop();
});

async function post(form: Record<string, string>) {
  const body = new URLSearchParams(form).toString();
  const res = await fetch(`http://127.0.0.1:${t.app.port}/slack/events`, {
    method: 'POST',
    body,
    headers: slackSignedHeaders(SECRET, body),
  });
  return res.status;
}

describe('acknowledging Slack requests', () => {
  it('a slash command is acked (200) and answered though the loop stalls for 1.5 s while it is in flight', async () => {
    // The stall lands on the app's first call to Slack after the request arrived: before this fix
    // that was auth.test, made before the listener could ack, and Bolt's 1 s timer answered 404.
    fake.blockOnNextCall(1500);
    const status = await post(slashCommand('help', 'UBUSY', fake.responseUrl('busy')));
    expect(status).toBe(200);
    const answer = await fake.waitFor((c) => c.method === '/response/busy');
    expect(answer.body.text).toMatch(/llama 3\.3 70b q8 for coding/);
  });

  it('makes no call to Slack before the ack (no auth.test on each request)', async () => {
    const before = fake.calls.length;
    expect(await post(slashCommand('help', 'UQUIET', fake.responseUrl('quiet')))).toBe(200);
    await fake.waitFor((c) => c.method === '/response/quiet');
    expect(fake.calls.slice(before).map((c) => c.method)).toEqual(['/response/quiet']);
  });

  it('when ack() throws (Bolt answered first), the answer still goes to response_url', async () => {
    // Bolt's own event path with an ack that fails as a late one does (ERR_HTTP_HEADERS_SENT).
    const ack = async () => {
      throw new Error('Cannot write headers after they are sent to the client');
    };
    await t.app.slack!.app.processEvent({ body: slashCommand('help', 'ULATE', fake.responseUrl('late')), ack });
    const answer = await fake.waitFor((c) => c.method === '/response/late');
    expect(answer.body).toMatchObject({ response_type: 'ephemeral' });
    expect(answer.body.text).toMatch(/llama 3\.3 70b q8 for coding/);
  });
});
