/** Where a Slack payload comes from: the key its pins, settings and rate limits live under. */
import type { SlackWhere } from './moderators.js';

/**
 * The key a Slack payload's pins, settings and rate limits live under. A workspace, or a
 * workspace-level install inside an Enterprise Grid org, keys by its team id as before. An org-wide
 * install sends `team: null` on interactions, so the workspace is the member's `user.team_id`, and
 * the key is `${enterprise_id}:${team_id}`: the org's workspaces stay apart, and a slash command
 * there (`team_id`, `enterprise_id`, `is_enterprise_install: "true"`) lands on the same key.
 */
export function slackWhere(p: {
  teamId?: string | null;
  userTeamId?: string | null;
  enterpriseId?: string | null;
  enterpriseInstall?: boolean | string;
}): SlackWhere {
  const teamId = p.teamId || p.userTeamId || 'unknown';
  const orgWide =
    p.enterpriseInstall === true || p.enterpriseInstall === 'true' || (!p.teamId && Boolean(p.enterpriseId));
  return { serverId: orgWide && p.enterpriseId ? `${p.enterpriseId}:${teamId}` : teamId, teamId };
}

/** The fields of an interaction payload the handlers read (Bolt's types admit older payload kinds). */
export interface ActionBody {
  team?: { id: string } | null;
  enterprise?: { id: string } | null;
  is_enterprise_install?: boolean;
  channel?: { id: string };
  user: { id: string; name?: string; team_id?: string };
  trigger_id?: string;
  message?: { ts: string };
  container?: { message_ts?: string };
}

export const whereOfAction = (b: ActionBody) =>
  slackWhere({
    teamId: b.team?.id,
    userTeamId: b.user.team_id,
    enterpriseId: b.enterprise?.id,
    enterpriseInstall: b.is_enterprise_install,
  });
