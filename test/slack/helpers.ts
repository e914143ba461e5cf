/** Slack payloads as Slack sends them, shared by the HTTP and Socket Mode tests. */
import { createHmac } from 'node:crypto';

/** Headers of a request signed with the app's signing secret (v0 HMAC over `v0:ts:body`). */
export function slackSignedHeaders(secret: string, body: string, ts = Math.floor(Date.now() / 1000)) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': signature,
  };
}

/** A /whichgpu slash command from `user` in channel C1 of team T1; `extra` overrides fields (team_id, enterprise_id...). */
export function slashCommand(
  text: string,
  user: string,
  responseUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    token: 'x',
    team_id: 'T1',
    team_domain: 't',
    channel_id: 'C1',
    channel_name: 'general',
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/whichgpu',
    text,
    response_url: responseUrl,
    trigger_id: 't',
    api_app_id: 'A1',
    ...extra,
  };
}

/** A block_actions payload: `user` used `action` on a message in channel C1; `extra` overrides fields (team, enterprise...). */
export function blockActions(
  action: Record<string, unknown>,
  user: string,
  responseUrl: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: 'T1', domain: 't' },
    user: { id: user, name: user.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    token: 'x',
    trigger_id: 't',
    channel: { id: 'C1', name: 'general' },
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C1', is_ephemeral: false },
    message: { type: 'message', ts: '1700000000.000100', text: 'verdict' },
    response_url: responseUrl,
    actions: [{ block_id: 'b', action_ts: '1700000001.0', ...action }],
    ...extra,
  };
}
