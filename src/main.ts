/**
 * `npm start`: validates the configuration, opens the store and starts what the environment
 * configures. With no platform configured (a fresh clone) it runs the local console.
 * SIGTERM/SIGINT stop accepting, finish in-flight work, close the database and exit 0.
 */
import { platformsConfigured, StartError, startApp } from './app.js';
import { loadCatalog } from './catalog/load.js';
import { ConfigError, loadConfig } from './config.js';
import { runConsole } from './console/console.js';
import { createLogger } from './log.js';
import { modelLookupFor } from './lookup/commands.js';
import { openStore } from './store/open.js';
import { StoreError } from './store/store.js';

async function main(): Promise<number> {
  const config = loadConfig();
  const catalog = loadCatalog();
  const store = await openStore(config);
  if (!platformsConfigured(config)) {
    try {
      return await runConsole({
        input: process.stdin,
        write: (s) => process.stdout.write(s),
        interactive: process.stdin.isTTY === true,
        color: process.stdout.isTTY === true && !process.env.NO_COLOR,
        catalog,
        store,
        lookup: modelLookupFor(config, store),
      });
    } finally {
      await store.close();
    }
  }
  const log = createLogger(config.LOG_LEVEL);
  process.on('unhandledRejection', (e) => log.error({ err: e }, 'unhandled rejection'));
  const app = await startApp(config, { catalog, store, log });
  log.info({ dataVersion: catalog.dataVersion, database: store.where, store: store.kind }, 'whichgpu started');
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await app.stop();
  await store.close();
  return 0;
}

try {
  process.exitCode = await main();
} catch (e) {
  if (e instanceof ConfigError || e instanceof StoreError || e instanceof StartError) {
    process.stderr.write(`whichgpu cannot start: ${e.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`whichgpu failed to start: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  }
}
