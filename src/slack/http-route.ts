/**
 * POST /slack/events in front of Bolt's HTTPReceiver: refuse a request dated more than 5 minutes
 * from now, either way (401, before its body is read: Bolt only refuses old ones), read the body
 * under our size cap (413), check the signature with Bolt's own isValidSlackRequest (401; Bolt
 * checks it again), refuse a form whose `payload` is not a JSON object (400: Bolt would crash on it
 * and never answer) and anything signed that whichgpu does not listen to (400), then hand the
 * buffered request to Bolt, which accepts a pre-read `rawBody`.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { isValidSlackRequest } from '@slack/bolt';
import { ReplayGuard } from '../discord/signature.js';
import { readBody } from '../server.js';
import type { SharedGuards } from '../store/port.js';

function reply(res: ServerResponse, status: number, error: string) {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error }));
}

/** Slack's own replay window: a signed request is good for 5 minutes around its timestamp. */
export const MAX_SKEW_SECONDS = 300;

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The interactions whichgpu listens to (button and select clicks, and shortcuts: a message
 * shortcut on a message, a global one acknowledged). Anything else Slack could sign is answered 400
 * here at once: Bolt would hold it for its 3 s "unhandled request" timer and then answer 404, or
 * throw on a shape it does not expect.
 */
function isHandledPayload(p: object): boolean {
  const { type, actions, callback_id, message } = p as {
    type?: unknown;
    actions?: unknown;
    callback_id?: unknown;
    message?: unknown;
  };
  if (type === 'message_action')
    return typeof callback_id === 'string' && message !== null && typeof message === 'object';
  if (type === 'shortcut') return typeof callback_id === 'string';
  return (
    type === 'block_actions' &&
    Array.isArray(actions) &&
    actions.length > 0 &&
    actions.every((a) => a !== null && typeof a === 'object')
  );
}

/**
 * A signed request is refused if this instance (or, with `guards`, any instance on the shared
 * store) accepted the same signature before: Slack signs each request once, so a second copy
 * inside the 5-minute window is a replay.
 */
export function slackEventsRoute(bolt: RequestListener, signingSecret: string, guards?: SharedGuards): RequestListener {
  const replays = new ReplayGuard(MAX_SKEW_SECONDS);
  return (req, res) => {
    if (req.method !== 'POST') return reply(res, 405, 'POST only');
    const timestamp = Number(header(req, 'x-slack-request-timestamp'));
    // A signature is replayable for as long as its timestamp is accepted: a request dated ahead
    // would stay valid until that future time plus 5 minutes.
    if (!Number.isFinite(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > MAX_SKEW_SECONDS) {
      return reply(res, 401, 'request timestamp is more than 5 minutes from now');
    }
    readBody(req, res, (body) => {
      const text = body.toString('utf8');
      const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim();
      const signature = header(req, 'x-slack-signature') ?? '';
      if (
        !isValidSlackRequest({
          signingSecret,
          body: text,
          headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
        })
      ) {
        return reply(res, 401, 'invalid request signature');
      }
      // One spelling only: Bolt's check reads the hash after the first '=', so 'v0=<hash>=x' would
      // verify too and pass the shared guard as a new signature.
      if (!/^v0=[0-9a-f]{64}$/.test(signature)) return reply(res, 401, 'invalid request signature');
      const sighting = replays.admit(signature.slice(3), timestamp);
      if (sighting === 'full') return reply(res, 503, 'busy');
      if (sighting !== 'first') return reply(res, 401, 'replayed request');
      if (!guards) return route(body, text, type);
      // Undefined (the database did not answer in time): this instance's own guard has decided.
      void guards
        .admitOnce(`slack:${signature}`, new Date((timestamp + 2 * MAX_SKEW_SECONDS) * 1000))
        .then((first) => (first === false ? reply(res, 401, 'replayed request') : route(body, text, type)));
    });

    function route(body: Buffer, text: string, type: string): void {
      if (type === 'application/x-www-form-urlencoded') {
        const form = new URLSearchParams(text);
        const payload = form.get('payload');
        if (payload !== null) {
          const parsed = jsonObject(payload);
          if (!parsed.ok) return reply(res, 400, `payload ${parsed.why}`);
          if (!isHandledPayload(parsed.value)) return reply(res, 400, 'whichgpu does not handle this kind of payload');
        } else if (form.get('command') === null && form.get('ssl_check') === null)
          return reply(res, 400, 'not a slash command or an interaction');
      } else if (type === 'application/json') {
        const parsed = jsonObject(text);
        if (!parsed.ok) return reply(res, 400, `body ${parsed.why}`);
        if ((parsed.value as { type?: unknown }).type !== 'url_verification')
          return reply(res, 400, 'whichgpu subscribes to no events');
      } else return reply(res, 415, 'expected a form or JSON');
      (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
      bolt(req, res);
    }
  };
}

/** JSON text as an object, or why not. */
function jsonObject(text: string): { ok: true; value: object } | { ok: false; why: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, why: 'is not JSON' };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, why: 'is not an object' };
  return { ok: true, value: parsed };
}
