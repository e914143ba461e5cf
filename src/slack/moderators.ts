/**
 * Who moderates a Slack workspace: SLACK_MODERATORS, workspace admins and owners (users.info), or
 * the members of the configured user group (usergroups.users.list). `/whichgpu pins` asks on every
 * read and every 📌 asks again, so answers are cached per workspace, member and group for a minute. A
 * lookup Slack refuses (missing_scope, a deleted group, an outage) counts as "not a moderator", so
 * the pin list still shows, and is logged once an hour per workspace and error, not per request.
 */
import { LRUCache } from 'lru-cache';
import type { Logger } from '../log.js';

/**
 * The Web API calls whichgpu makes, narrowed from Bolt's client so a test can pass a plain object.
 * Bolt's `client` satisfies it.
 */
export interface SlackClient {
  users: {
    info(a: {
      user: string;
    }): Promise<{ user?: { is_admin?: boolean; is_owner?: boolean; is_primary_owner?: boolean } }>;
  };
  usergroups: {
    list(a: { team_id: string }): Promise<{ usergroups?: { id?: string; handle?: string }[] }>;
    users: { list(a: { usergroup: string; team_id: string }): Promise<{ users?: string[] }> };
  };
  pins: { add(a: { channel: string; timestamp: string }): Promise<unknown> };
  chat: {
    postMessage(a: {
      channel: string;
      thread_ts?: string;
      text: string;
      blocks: Record<string, unknown>[];
    }): Promise<unknown>;
  };
  /** A chart's upload (files:write): files.getUploadURLExternal, the bytes, files.completeUploadExternal. Absent: no charts. */
  files?: {
    uploadV2(
      a: { file: Buffer; filename: string; alt_text?: string; title?: string } & (
        { channel_id: string } | { channel_id: string; thread_ts: string }
      ),
    ): Promise<unknown>;
  };
}

/** Where a Slack request comes from: the key its pins and settings live under, and its workspace. */
export interface SlackWhere {
  serverId: string;
  teamId: string;
}

const ANSWER_TTL_MS = 60_000;
/** A refused lookup is asked again sooner: an admin should not wait a minute after a Slack blip or a scope fix. */
const FAILED_TTL_MS = 5_000;
/** About 300 B an entry (measured with its key and settled promise): 3 MB at most, however many members ask. */
const MAX_ANSWERS = 10_000;

/** The Slack error code of a failed Web API call (`missing_scope`), or the client's own code. */
export function slackErrorCode(e: unknown): string {
  const err = e as { data?: { error?: unknown }; code?: unknown };
  return String(err.data?.error ?? err.code ?? 'error');
}

export class SlackModerators {
  private readonly answers = new LRUCache<string, Promise<boolean>>({ max: MAX_ANSWERS, ttl: ANSWER_TTL_MS });
  private readonly warned = new LRUCache<string, true>({ max: 1_000, ttl: 60 * 60_000 });

  constructor(
    private readonly listed: readonly string[],
    private readonly log: Logger,
  ) {}

  /** SLACK_MODERATORS, a workspace admin or owner, or a member of `group`. Never throws. */
  isModerator(client: SlackClient, where: SlackWhere, userId: string, group: string | null): Promise<boolean> {
    if (this.listed.includes(userId)) return Promise.resolve(true);
    const key = `${where.serverId}\n${userId}\n${group ?? ''}`;
    const cached = this.answers.get(key);
    if (cached) return cached;
    let failed = false;
    const refused = (method: string) => (e: unknown) => {
      failed = true;
      this.warnOnce(where, method, e);
      return undefined;
    };
    const answer = (async () => {
      const info = await client.users.info({ user: userId }).catch(refused('users.info'));
      if (info?.user?.is_admin || info?.user?.is_owner || info?.user?.is_primary_owner) return true;
      if (!group) return false;
      // team_id names the workspace for an org-wide token; a workspace token ignores it.
      const members = await client.usergroups.users
        .list({ usergroup: group, team_id: where.teamId })
        .catch(refused('usergroups.users.list'));
      return members?.users?.includes(userId) ?? false;
    })();
    this.answers.set(key, answer);
    void answer.then(() => {
      if (failed && this.answers.peek(key) === answer) this.answers.set(key, answer, { ttl: FAILED_TTL_MS });
    });
    return answer;
  }

  /**
   * The id of the user group a `moderator_role` setting names: its id (S0614TZR7), its handle as
   * typed (`@mods`, since the manifest does not escape), or Slack's escaped mention. One
   * usergroups.list call, made only when a moderator sets the value, so an unknown group is refused
   * then instead of failing every later lookup.
   */
  async resolveGroup(
    client: SlackClient,
    where: SlackWhere,
    text: string,
  ): Promise<{ ok: true; id: string } | { ok: false; message: string }> {
    const escaped = /^<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>$/i.exec(text);
    const wanted = (escaped ? escaped[1]! : text.replace(/^@/, '')).toLowerCase();
    let groups: { id?: string; handle?: string }[];
    try {
      groups = (await client.usergroups.list({ team_id: where.teamId })).usergroups ?? [];
    } catch (e) {
      const code = slackErrorCode(e);
      this.log.warn({ err: e, code, serverId: where.serverId }, 'slack usergroups.list failed');
      if (code === 'missing_scope')
        return {
          ok: false,
          message:
            'I cannot read user groups here (the app lacks the usergroups:read scope), so moderator_role was not changed.',
        };
      return {
        ok: false,
        message:
          'Slack did not answer the user group lookup, so moderator_role was not changed. Try again in a minute.',
      };
    }
    const group = groups.find((g) => g.id?.toLowerCase() === wanted || g.handle?.toLowerCase() === wanted);
    if (group?.id) return { ok: true, id: group.id };
    return {
      ok: false,
      message:
        'This workspace has no active user group with that id or handle, so moderator_role was not changed. Give its id (S...) or handle (@mods); "none" clears it.',
    };
  }

  private warnOnce(where: SlackWhere, method: string, e: unknown): void {
    const code = slackErrorCode(e);
    const key = `${where.serverId}\n${method}\n${code}`;
    if (this.warned.has(key)) return;
    this.warned.set(key, true);
    this.log.warn(
      { err: e, code, method, serverId: where.serverId },
      'slack moderator lookup failed; treating the member as not a moderator',
    );
  }
}
