/** A command context as the Discord adapter builds one (server g1, channel c1), without Discord. */
import type { CommandContext } from '../../commands/types.js';
import type { Store } from '../../src/store/store.js';
import { catalog } from './catalog.js';

export const commandContext = (
  store: Store,
  moderator = true,
  user = moderator ? 'mod' : 'member',
): CommandContext => ({
  catalog,
  store,
  platform: 'discord',
  serverId: 'g1',
  channelId: 'c1',
  user: { id: user, name: user },
  canAdminister: async () => moderator,
  canModerate: async () => moderator,
});
