/**
 * `npm run register`: registers /ask, /compare, /verdicts, /settings, /help and the message command
 * "Answer with whichgpu" with Discord: to DISCORD_GUILD_ID when set (instant, for development),
 * else globally.
 */
import { loadConfig } from '../src/config.js';
import { registerCommands } from '../src/discord/registration.js';

const config = loadConfig();
if (!config.DISCORD_TOKEN || !config.DISCORD_APPLICATION_ID) {
  process.stderr.write(
    'npm run register needs DISCORD_TOKEN and DISCORD_APPLICATION_ID (in the environment or .env).\n',
  );
  process.exit(2);
}
const count = await registerCommands({
  token: config.DISCORD_TOKEN,
  applicationId: config.DISCORD_APPLICATION_ID,
  ...(config.DISCORD_GUILD_ID ? { guildId: config.DISCORD_GUILD_ID } : {}),
  ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}),
});
process.stdout.write(
  `Registered ${count} commands ${config.DISCORD_GUILD_ID ? `to guild ${config.DISCORD_GUILD_ID}` : 'globally (may take up to an hour to appear)'}.\n`,
);
