/**
 * The whole app (startApp) on a PostgreSQL database, as `startTestApp` runs it on a SQLite file: PORT 0, silent
 * logs, rate limits generous enough not to interfere unless the test sets its own. Several started on one URL are
 * instances behind a load balancer: they share pins, settings, the replay guard and the rate limits.
 */
import { startApp, type RunningApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/log.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { catalog } from './catalog.js';

export interface PgTestApp {
  app: RunningApp;
  store: PostgresStore;
  /** http://127.0.0.1:<port> of this instance. */
  base: string;
  /** Stops the app, then closes its pool and its listening connection (the database stays). */
  close(): Promise<void>;
}

export async function startPgTestApp(
  env: Record<string, string>,
  databaseUrl: string,
  log: Logger = createLogger('silent'),
): Promise<PgTestApp> {
  const store = await PostgresStore.open(databaseUrl);
  const config = parseConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    RATE_LIMIT_USER_BURST: '1000',
    RATE_LIMIT_SERVER_BURST: '100000',
    MODEL_LOOKUP: 'off',
    // Answers as text, as the tests that read their JSON expect (startTestApp does the same).
    CHARTS: 'off',
    ...env,
    DATABASE_URL: databaseUrl,
  });
  try {
    const app = await startApp(config, { catalog, store, log });
    return {
      app,
      store,
      base: `http://127.0.0.1:${app.port}`,
      async close() {
        await app.stop();
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}
