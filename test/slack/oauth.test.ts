/**
 * Distribution mode end to end on SQLite: Bolt's InstallProvider serves /slack/install and
 * /slack/oauth_redirect on our server, exchanges the code at the loopback fake's oauth.v2.access,
 * stores the installation sealed, and a signed request from that workspace is then answered with
 * that workspace's own bot token.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { StartError, startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { BOT_SCOPES } from '../../src/slack/app.js';
import { SqliteStore } from '../../src/store/store.js';
import { catalog } from '../helpers/catalog.js';
import { FakeSlackApi } from '../fakes/slack-api.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { slackSignedHeaders, slashCommand } from './helpers.js';

const SECRET = 'oauth-signing-secret';
const REDIRECT_URL = 'https://whichgpu.example/slack/oauth_redirect';
const TOKEN_KEY = 'a'.repeat(64);
const fake = new FakeSlackApi();
let app: TestApp;
let base = '';
let seq = 0;

const oauthEnv = (): Record<string, string> => ({
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_API_URL: fake.url,
  SLACK_CLIENT_ID: fake.oauthClient.id,
  SLACK_CLIENT_SECRET: fake.oauthClient.secret,
  SLACK_STATE_SECRET: 'state-secret-for-tests',
  SLACK_TOKEN_KEY: TOKEN_KEY,
  SLACK_REDIRECT_URL: REDIRECT_URL,
});

beforeAll(async () => {
  await fake.start();
  fake.admins.add('UADMIN');
  app = await startTestApp(oauthEnv());
  base = `http://127.0.0.1:${app.app.port}`;
});
afterAll(async () => {
  await app?.close();
  await fake.stop();
});

/** GET /slack/install: Slack's authorize URL and the state cookie Bolt set. */
async function startInstall() {
  const res = await fetch(`${base}/slack/install`, { redirect: 'manual' });
  const location = new URL(res.headers.get('location') ?? 'about:blank');
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return { res, location, cookie, state: location.searchParams.get('state') ?? '' };
}

/** The whole install: /slack/install, Slack's consent (a grant in the fake), then the redirect back. */
async function install(grant: Parameters<typeof grantFor>[0]) {
  const { state, cookie } = await startInstall();
  const code = grantFor(grant);
  return fetch(`${base}/slack/oauth_redirect?code=${code}&state=${encodeURIComponent(state)}`, {
    headers: { cookie },
    redirect: 'manual',
  });
}

function grantFor(g: (typeof fake.grants)[string]): string {
  const code = `code-${++seq}`;
  fake.grants[code] = g;
  return code;
}

/** A signed /whichgpu from `team`; resolves with the answer posted to its response_url. */
async function slash(text: string, user: string, extra: Record<string, string>) {
  const id = `oauth-cmd-${++seq}`;
  const body = new URLSearchParams(slashCommand(text, user, fake.responseUrl(id), extra)).toString();
  const res = await fetch(`${base}/slack/events`, { method: 'POST', body, headers: slackSignedHeaders(SECRET, body) });
  expect(res.status).toBe(200);
  return { id, answer: () => fake.waitFor((c) => c.method === `/response/${id}`) };
}

describe('Slack distribution: OAuth installs on our HTTP server', () => {
  it('GET /slack/install redirects to Slack with the client id, the manifest scopes, the redirect URL and a state, and sets the state cookie', async () => {
    const { res, location, cookie, state } = await startInstall();
    expect(res.status).toBe(302);
    expect(`${location.origin}${location.pathname}`).toBe('https://slack.com/oauth/v2/authorize');
    expect(location.searchParams.get('client_id')).toBe('client-id');
    expect(location.searchParams.get('scope')).toBe(BOT_SCOPES.join(','));
    expect(location.searchParams.get('redirect_uri')).toBe(REDIRECT_URL);
    expect(state.length).toBeGreaterThan(20);
    expect(cookie).toBe(`slack-app-oauth-state=${state}`);
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly/i);
  });

  it('asks for exactly the bot scopes slack-manifest.yml lists', () => {
    const manifest = parse(readFileSync(join(import.meta.dirname, '..', '..', 'slack-manifest.yml'), 'utf8'));
    expect([...BOT_SCOPES]).toEqual(manifest.oauth_config.scopes.bot);
  });

  it('GET /slack/oauth_redirect exchanges the code with the client credentials, stores the installation sealed and answers a success page', async () => {
    const res = await install({ token: 'xoxb-team-a-0123456789', team: { id: 'TA', name: 'Team A' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/Thank you!/);
    // The state cookie is spent.
    expect(res.headers.get('set-cookie')).toMatch(/slack-app-oauth-state=deleted;.*Expires=Thu, 01 Jan 1970/);
    const exchange = fake.calls.filter((c) => c.method === 'oauth.v2.access').at(-1)!;
    expect(exchange.body).toMatchObject({
      code: `code-${seq}`,
      client_id: 'client-id',
      client_secret: 'client-secret',
      redirect_uri: REDIRECT_URL,
    });
    const row = await app.store.readInstallation('TA');
    expect(row).toMatchObject({ teamId: 'TA', enterpriseId: null });
    expect(row!.sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(row!.sealed).not.toContain('xoxb-team-a');
    expect(row!.sealed).not.toContain('0123456789');
  });

  it('refuses a forged state, a state without its cookie, and a missing code, without calling oauth.v2.access', async () => {
    const before = fake.calls.filter((c) => c.method === 'oauth.v2.access').length;
    const code = grantFor({ token: 'xoxb-never', team: { id: 'TX', name: 'X' } });
    const forged = await fetch(`${base}/slack/oauth_redirect?code=${code}&state=forged`, {
      headers: { cookie: 'slack-app-oauth-state=forged' },
    });
    expect(forged.status).toBe(400);
    expect(await forged.text()).toMatch(/invalid_state/i);
    const { state } = await startInstall();
    const noCookie = await fetch(`${base}/slack/oauth_redirect?code=${code}&state=${encodeURIComponent(state)}`);
    expect(noCookie.status).toBe(400);
    const other = await startInstall();
    const crossed = await fetch(`${base}/slack/oauth_redirect?code=${code}&state=${encodeURIComponent(state)}`, {
      headers: { cookie: other.cookie },
    });
    expect(crossed.status).toBe(400);
    const noCode = await fetch(`${base}/slack/oauth_redirect?state=${encodeURIComponent(other.state)}`, {
      headers: { cookie: other.cookie },
    });
    expect(noCode.status).toBe(400);
    expect(fake.calls.filter((c) => c.method === 'oauth.v2.access')).toHaveLength(before);
    expect(await app.store.readInstallation('TX')).toBeUndefined();
  });

  it('a grant Slack refuses (a code already spent) stores nothing and says so', async () => {
    const { state, cookie } = await startInstall();
    const res = await fetch(`${base}/slack/oauth_redirect?code=spent&state=${encodeURIComponent(state)}`, {
      headers: { cookie },
    });
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/Something Went Wrong/);
  });

  it('answers each installed workspace with its own bot token, and keeps their settings apart', async () => {
    await install({ token: 'xoxb-team-b', team: { id: 'TB', name: 'Team B' } });
    const a = await slash('settings set hours=3', 'UADMIN', { team_id: 'TA' });
    expect((await a.answer()).body.text).toMatch(/hours|saved|3/i);
    const infoA = fake.calls.filter((c) => c.method === 'users.info').at(-1)!;
    expect(infoA.authorization).toBe('Bearer xoxb-team-a-0123456789');
    const b = await slash('settings set hours=5', 'UADMIN', { team_id: 'TB' });
    await b.answer();
    const infoB = fake.calls.filter((c) => c.method === 'users.info').at(-1)!;
    expect(infoB.authorization).toBe('Bearer xoxb-team-b');
    expect((await app.store.settings('slack', 'TA')).hours).toBe(3);
    expect((await app.store.settings('slack', 'TB')).hours).toBe(5);
  });

  it('an org-wide install is keyed by its enterprise id and answers every workspace of the org with its token', async () => {
    const res = await install({
      token: 'xoxb-org-e1',
      team: null,
      enterprise: { id: 'E1', name: 'Org' },
      isEnterpriseInstall: true,
    });
    expect(res.status).toBe(200);
    expect(await app.store.readInstallation('E1')).toMatchObject({ teamId: null, enterpriseId: 'E1' });
    const r = await slash('settings set hours=7', 'UADMIN', {
      team_id: 'T9',
      enterprise_id: 'E1',
      is_enterprise_install: 'true',
    });
    await r.answer();
    expect(fake.calls.filter((c) => c.method === 'users.info').at(-1)!.authorization).toBe('Bearer xoxb-org-e1');
    // Settings stay per workspace inside the org (src/slack/where.ts).
    expect((await app.store.settings('slack', 'E1:T9')).hours).toBe(7);
  });

  it('a workspace that has not installed gets no answer and no Web API call with anyone’s token', async () => {
    const callsBefore = fake.calls.length;
    const r = await slash('settings set hours=9', 'UADMIN', { team_id: 'TNOPE' });
    await new Promise((done) => setTimeout(done, 200));
    expect(fake.calls.slice(callsBefore).map((c) => c.method)).toEqual([]);
    expect(fake.calls.some((c) => c.method === `/response/${r.id}`)).toBe(false);
  });

  it('serves the install pages for GET only, and /healthz and /readyz as before', async () => {
    expect((await fetch(`${base}/slack/install`, { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await fetch(`${base}/slack/oauth_redirect`, { method: 'PUT', body: 'x' })).status).toBe(405);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });
});

describe('distribution mode is refused at start when incomplete', () => {
  /** The start's refusal (nothing listens: the routes are refused before the server starts). */
  const refusal = async (env: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'whichgpu-oauth-'));
    const store = SqliteStore.open(join(dir, 'db.sqlite'));
    try {
      const config = parseConfig({ ...oauthEnv(), PORT: '0', ...env });
      const started = startApp(config, { catalog, store, log: createLogger('silent') });
      await expect(started).rejects.toThrow(StartError);
      return await started.catch((e: Error) => e.message);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('names SLACK_TOKEN_KEY when it is missing', async () => {
    expect(await refusal({ SLACK_TOKEN_KEY: '' })).toMatch(/SLACK_TOKEN_KEY.*openssl rand -hex 32/);
  });

  it('names the OAuth settings that are missing', async () => {
    expect(await refusal({ SLACK_CLIENT_SECRET: '', SLACK_STATE_SECRET: '' })).toMatch(
      /SLACK_CLIENT_SECRET and SLACK_STATE_SECRET/,
    );
  });

  it('refuses a single-workspace token or a Socket Mode token beside OAuth, and a redirect URL on another path', async () => {
    expect(await refusal({ SLACK_BOT_TOKEN: 'xoxb-single' })).toMatch(/unset SLACK_BOT_TOKEN/);
    expect(await refusal({ SLACK_APP_TOKEN: 'xapp-1' })).toMatch(/unset SLACK_APP_TOKEN/);
    expect(await refusal({ SLACK_REDIRECT_URL: 'https://whichgpu.example/callback' })).toMatch(
      /SLACK_REDIRECT_URL must end with \/slack\/oauth_redirect/,
    );
  });
});
