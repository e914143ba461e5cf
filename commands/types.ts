/**
 * The platform-neutral command contract. A command file describes itself once (name, options,
 * zod schema) and turns validated input into a Reply; Discord, Slack and the console render the
 * Reply and never decide permissions themselves: the adapter passes `canAdminister` and `canModerate`.
 */
import type { z } from 'zod';
import type { Catalog } from '../src/core/catalog.js';
import type { CoreError } from '../src/core/result.js';
import type { Verdict } from '../src/core/verdict.js';
import type { ServerSettings } from '../src/store/settings-schema.js';
import type { Page, PinnedVerdict, Platform, Store } from '../src/store/store.js';

export interface CommandContext {
  catalog: Catalog;
  store: Store;
  platform: Platform;
  /** Guild id (Discord), team id (Slack), "local" (console). */
  serverId: string;
  channelId: string;
  user: { id: string; name: string };
  /**
   * The adapter's answer to "may this member change the server's settings, the moderator role
   * included?" (Discord: Manage Server, Administrator or the moderator role.)
   */
  canAdminister: () => Promise<boolean>;
  /**
   * The adapter's answer to "may this member pin, unpin or refresh a pin in `channelId`?" (default:
   * the channel the request came from). Discord: Pin Messages in that channel, which an interaction
   * only tells for its own channel; elsewhere the powers of `canAdminister`.
   */
  canModerate: (channelId?: string) => Promise<boolean>;
}

export interface PinView extends PinnedVerdict {
  /** The catalog changed since this verdict was computed. */
  stale: boolean;
}

export type Reply =
  | { kind: 'verdict'; verdict: Verdict; queryKey: string; existingPin?: PinView; notes: string[] }
  | { kind: 'pins'; page: Page<PinView>; canModerate: boolean }
  | { kind: 'pinned'; pin: PinView; alreadyPinned: boolean }
  | { kind: 'refreshed'; pin: PinView; changes: string[]; verdict: Verdict }
  | { kind: 'unpinned'; pin: PinView }
  | { kind: 'settings'; settings: ServerSettings; changed: string[] }
  | { kind: 'help'; text: string }
  | { kind: 'error'; error: Pick<CoreError, 'code' | 'message' | 'hint'> | { code: 'FORBIDDEN' | 'NOT_FOUND' | 'STORE_WRITE_FAILED'; message: string; hint?: string } };

export type OptionType = 'string' | 'integer' | 'number';

/** One option as every platform shows it (Discord registers these; Slack and the console parse text). */
export interface OptionSpec {
  name: string;
  description: string;
  type: OptionType;
  choices?: readonly string[];
  min?: number;
  max?: number;
  autocomplete?: boolean;
}

export interface Command<I> {
  name: string;
  description: string;
  options: readonly OptionSpec[];
  schema: z.ZodType<I>;
  execute(ctx: CommandContext, input: I): Promise<Reply>;
}

export const MODERATOR_HINT = 'Ask someone with the Pin Messages permission in that channel, Manage Server, or the moderator role.';
export const ADMIN_HINT = 'Ask someone with the Manage Server permission or the moderator role.';

export const forbidden = (what: string, o: { who?: string; hint?: string } = {}): Reply => ({
  kind: 'error',
  error: { code: 'FORBIDDEN', message: `Only ${o.who ?? 'moderators'} can ${what}.`, hint: o.hint ?? MODERATOR_HINT },
});
