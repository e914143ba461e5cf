/** A pin as the commands would store it, for store tests: Discord, server g1, channel c1. */
import type { NewPin } from '../../src/store/store.js';

export const newPin = (messageId: string, extra: Partial<NewPin> = {}): NewPin => ({
  platform: 'discord',
  serverId: 'g1',
  channelId: 'c1',
  messageId,
  queryKey: `key-${messageId}`,
  query: { model: 'llama-3.1-8b' },
  headline: `headline ${messageId}`,
  winner: 'rtx-5090',
  dataVersion: 'v1',
  pinnedBy: 'mod-1',
  ...extra,
});
