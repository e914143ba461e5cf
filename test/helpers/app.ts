/**
 * The whole app (startApp) on a fresh database in a temporary folder, configured like production
 * from an env map: PORT 0, silent logs, rate limits generous enough not to interfere unless
 * the test sets its own, and no charts unless it asks for them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { SqliteStore } from '../../src/store/store.js';
import { catalog } from './catalog.js';

export interface TestApp {
  app: RunningApp;
  store: SqliteStore;
  /** Stops the app, closes the database and removes the folder. */
  close(): Promise<void>;
}

export async function startTestApp(env: Record<string, string>): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'whichgpu-app-'));
  const store = SqliteStore.open(join(dir, 'db.sqlite'));
  const config = parseConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_USER_BURST: '1000',
    RATE_LIMIT_SERVER_BURST: '100000',
    // Lookups only against a loopback fake a test names (HF_ENDPOINT, OLLAMA_REGISTRY_URL).
    MODEL_LOOKUP: 'off',
    // Answers as text, as the tests that read their JSON expect; the chart tests set CHARTS=on.
    CHARTS: 'off',
    ...env,
  });
  const app = await startApp(config, { catalog, store, log: createLogger('silent') });
  return {
    app,
    store,
    async close() {
      await app.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Discord over HTTP and Slack over HTTP on one server, each against its loopback fake. */
export function bothPlatformsEnv(o: {
  discordApiUrl: string;
  slackApiUrl: string;
  publicKeyHex: string;
}): Record<string, string> {
  return {
    DISCORD_TRANSPORT: 'http',
    DISCORD_PUBLIC_KEY: o.publicKeyHex,
    DISCORD_TOKEN: 't',
    DISCORD_API_URL: o.discordApiUrl,
    SLACK_BOT_TOKEN: 'xoxb-t',
    SLACK_SIGNING_SECRET: 'sec',
    SLACK_API_URL: o.slackApiUrl,
  };
}
