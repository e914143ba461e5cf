/**
 * Every reply kind as a Slack message and whether the channel sees it (verdicts) or only the
 * asker (everything else).
 */
import type { Reply } from '../../commands/types.js';
import { alreadyPinnedText, errorText, refreshedText } from './shared.js';
import { planBlocks } from './slack-plan.js';
import { slackReport, slackWithCommunity } from './reports.js';
import { clarifyBlocks, pinsBlocks, settingsBlocks, textBlocks, verdictBlocks, type SlackMessage } from './slack.js';

export interface SlackReply {
  message: SlackMessage;
  public: boolean;
}

const private_ = (text: string): SlackReply => ({ message: textBlocks(text), public: false });

/** `stateId` is the stored question a verdict's or a plan's buttons carry (the adapter saves it: `stateOf`). */
export function slackReply(reply: Reply, stateId: string | undefined, quants: readonly string[]): SlackReply {
  switch (reply.kind) {
    case 'verdict':
      return {
        message: slackWithCommunity(
          verdictBlocks(reply.verdict, {
            stateId,
            quants,
            ...(reply.existingPin ? { existingPin: reply.existingPin } : {}),
            notes: reply.notes,
          }),
          reply.community,
        ),
        public: true,
      };
    case 'pins':
      // Private on purpose (Discord's is public): kept from before the renovation, test/render/replies.test.ts.
      return { message: pinsBlocks(reply.page, reply.canModerate), public: false };
    case 'settings':
      return { message: settingsBlocks(reply.settings, reply.changed), public: false };
    case 'pinned':
      return private_(
        reply.alreadyPinned
          ? alreadyPinnedText(reply.pin.id)
          : `:pushpin: Pinned as #${reply.pin.id}. \`/whichgpu pins\` lists the workspace's pins.`,
      );
    case 'plan':
      // Public, like a verdict: the channel asked.
      return {
        message: slackWithCommunity(
          planBlocks(reply.plan, reply.notes, {
            stateId,
            ...(reply.existingPin ? { existingPin: reply.existingPin } : {}),
          }),
          reply.community,
        ),
        public: true,
      };
    case 'refreshed':
      return private_(refreshedText(reply.pin.id, reply.changes));
    case 'unpinned':
      return private_(`Unpinned #${reply.pin.id} from the list.`);
    case 'help':
      return private_(
        `\`\`\`${reply.text.replace(/^Pins: +verdicts \[page\]/m, 'Pins:     /whichgpu pins [page]')}\`\`\``,
      );
    case 'clarify':
      // Public, like the verdict it leads to: anyone in the conversation may pick.
      return { message: clarifyBlocks(reply.question, reply.choices), public: true };
    case 'error':
      return private_(errorText(reply.error));
    case 'report':
      return slackReport(reply.report);
  }
}
