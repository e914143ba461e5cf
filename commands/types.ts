/**
 * The platform-neutral command contract. A command file describes itself once (name, options,
 * zod schema) and turns validated input into a Reply; Discord, Slack and the console render the
 * Reply and never decide permissions themselves: the adapter passes `canModerate`.
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
  /** The adapter's answer to "may this member pin and change settings?" */
  canModerate: () => Promise<boolean>;
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

export const forbidden = (what: string): Reply => ({
  kind: 'error',
  error: { code: 'FORBIDDEN', message: `Only moderators can ${what}.`, hint: 'Ask someone with the Pin Messages permission or the moderator role.' },
});
