/**
 * `npm start`: validates the configuration, opens the store and starts what the environment
 * configures. With no platform configured (a fresh clone) it runs the local console.
 */
import { loadCatalog } from './catalog/load.js';
import { ConfigError, loadConfig } from './config.js';
import { runConsole } from './console/console.js';
import { Store, StoreError } from './store/store.js';

async function main(): Promise<number> {
  const config = loadConfig();
  const catalog = loadCatalog();
  const store = Store.open(config.databasePath);
  try {
    return await runConsole({
      input: process.stdin,
      write: (s) => process.stdout.write(s),
      interactive: process.stdin.isTTY === true,
      color: process.stdout.isTTY === true && !process.env.NO_COLOR,
      catalog,
      store,
    });
  } finally {
    store.close();
  }
}

try {
  process.exitCode = await main();
} catch (e) {
  if (e instanceof ConfigError || e instanceof StoreError) {
    process.stderr.write(`whichgpu cannot start: ${e.message}\n`);
    process.exitCode = 1;
  } else throw e;
}
