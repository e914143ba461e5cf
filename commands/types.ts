/**
 * The platform-neutral command contract. A command file describes itself once (name, options,
 * zod schema) and turns validated input into a Reply; Discord, Slack and the console render the
 * Reply and never decide permissions themselves: the adapter passes `canAdminister` and `canModerate`,
 * and says in its platform's words who may (`permissionWords`).
 */
import type { z } from 'zod';
import type { Catalog, ClarifyChoice, CoreError, LearnedFacts, Plan, Verdict } from '../src/core/index.js';
import type { ServerSettings } from '../src/store/settings-schema.js';
import type { Page, PinnedVerdict, Platform, Store } from '../src/store/store.js';
import type { ReportReply } from './report.js';

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
   * included?" (Discord: Manage Server or Administrator in the guild's own permissions, the owner,
   * or the moderator role.)
   */
  canAdminister: () => Promise<boolean>;
  /**
   * The adapter's answer to "may this member pin, unpin or refresh a pin in `channelId`?" (default:
   * the channel the request came from). Discord: Pin Messages in that channel, which an interaction
   * only tells for its own channel; elsewhere the powers of `canAdminister`.
   */
  canModerate: (channelId?: string) => Promise<boolean>;
  /** Who may moderate and administer, in the platform's words; `PLAIN_WORDS` when the adapter gives none. */
  permissionWords?: PermissionWords;
  /** Learns a model the catalog does not hold (the Hub, the Ollama registry); absent when lookup is off. */
  lookup?: ModelLookup;
}

/**
 * A live model lookup (src/lookup/lookupModel with the store's cache): what the Hub or the registry
 * says about a reference, or why it could not say. Never throws; bounded by its own deadline.
 */
export type ModelLookup = (
  ref: string,
) => Promise<{ ok: true; value: LearnedFacts } | { ok: false; error: { code: string; message: string } }>;

/** Who may moderate and administer, as a refusal names them: each adapter words its own platform's roles. */
export interface PermissionWords {
  /** Who may pin, unpin and refresh: "Only {moderators} can pin verdicts." */
  moderators: string;
  /** Who may change settings: "Only {administrators} can change settings." */
  administrators: string;
  /** Whom to ask after a refused pin, unpin or refresh. */
  moderatorHint: string;
  /** Whom to ask after a refused settings change. */
  adminHint: string;
  /** Whom to ask after a refused unpin or refresh of a pin made in another channel. */
  elsewhereHint: string;
}

/** Words that fit any platform, for an adapter that gives none (the console, where everyone may). */
export const PLAIN_WORDS: PermissionWords = {
  moderators: 'moderators',
  administrators: 'moderators',
  moderatorHint: 'Ask a moderator.',
  adminHint: 'Ask a moderator.',
  elsewhereHint: 'Ask a moderator.',
};

export interface PinView extends PinnedVerdict {
  /** The catalog changed since this verdict was computed. */
  stale: boolean;
}

/**
 * What this server's members measured for a (machine, model, quant) of an answer and moderators
 * approved (issue 18): shown beside the estimate, never instead of it.
 */
export interface CommunityFigure {
  device: string;
  deviceName: string;
  model: string;
  modelName: string;
  quant: string;
  runs: number;
  medianDecode: number | null;
  medianPrefill: number | null;
  /** Runs a moderator approved although they fell outside the estimate's band. */
  outsideBand: number;
}

export type Reply =
  | {
      kind: 'verdict';
      verdict: Verdict;
      queryKey: string;
      existingPin?: PinView;
      notes: string[];
      community?: CommunityFigure[];
    }
  | { kind: 'pins'; page: Page<PinView>; canModerate: boolean }
  | { kind: 'pinned'; pin: PinView; alreadyPinned: boolean }
  /** A refreshed pin: what changed, and the verdict or the plan computed again. */
  | { kind: 'refreshed'; pin: PinView; changes: string[]; verdict?: Verdict; plan?: Plan }
  | { kind: 'unpinned'; pin: PinView }
  | { kind: 'settings'; settings: ServerSettings; changed: string[] }
  | { kind: 'help'; text: string }
  /** What each machine runs best for a workflow (issue 15), or what an upgrade adds. */
  | { kind: 'plan'; plan: Plan; notes: string[]; existingPin?: PinView; community?: CommunityFigure[] }
  /** A community report saved, asked back, reviewed or listed (commands/report.ts). */
  | { kind: 'report'; report: ReportReply }
  /** A question back, when answering would mean guessing: each choice's `text` is the question to answer when picked. */
  | { kind: 'clarify'; question: string; choices: ClarifyChoice[] }
  | {
      kind: 'error';
      error:
        | Pick<CoreError, 'code' | 'message' | 'hint'>
        | { code: 'FORBIDDEN' | 'NOT_FOUND' | 'STORE_WRITE_FAILED' | 'STORE_BUSY'; message: string; hint?: string };
    };

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
  /** Discord asks for it before sending the command (default: optional). */
  required?: boolean;
  /** Longest text a string option takes. */
  maxLength?: number;
}

export interface Command<I> {
  name: string;
  description: string;
  options: readonly OptionSpec[];
  schema: z.ZodType<I>;
  execute(ctx: CommandContext, input: I): Promise<Reply>;
}

/**
 * "Only moderators can {what}." and whom to ask, in the context's words: `admin` for settings,
 * `elsewhere` for a pin made in another channel.
 */
export function forbidden(ctx: CommandContext, what: string, o: { admin?: boolean; elsewhere?: boolean } = {}): Reply {
  const w = ctx.permissionWords ?? PLAIN_WORDS;
  const hint = o.admin ? w.adminHint : o.elsewhere ? w.elsewhereHint : w.moderatorHint;
  return {
    kind: 'error',
    error: { code: 'FORBIDDEN', message: `Only ${o.admin ? w.administrators : w.moderators} can ${what}.`, hint },
  };
}
