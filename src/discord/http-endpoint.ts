/**
 * POST /discord/interactions: verify the signature first (401 otherwise), then answer in the
 * initial HTTP response. Nothing in the body is looked at before the signature checks out.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import type { APIInteraction } from 'discord-api-types/v10';
import type { Logger } from '../log.js';
import type { RouteResponse, Route } from '../server.js';
import { followUp, handleInteraction, type DiscordDeps } from './handlers.js';
import { decodeInteraction, toApiResponse, type InteractionResult } from './interaction.js';
import type { SharedGuards } from '../store/port.js';
import { storeTrouble } from '../../commands/store-writes.js';
import { MAX_SKEW_SECONDS, ReplayGuard, verifyDiscordRequest } from './signature.js';

/**
 * `guards`, when instances share a store: a signature this instance sees first is also checked
 * against every other's, so a request accepted by one is refused by all while it could verify.
 */
export function discordInteractionsRoute(
  deps: DiscordDeps & { publicKey: KeyObject; log: Logger; guards?: SharedGuards },
): Route {
  const replays = new ReplayGuard();
  return async (req, body) => {
    const signature = header(req.headers['x-signature-ed25519']);
    const timestamp = header(req.headers['x-signature-timestamp']);
    const now = Date.now() / 1000;
    const ok = verifyDiscordRequest(deps.publicKey, timestamp, signature, body, now);
    if (!ok) return { status: 401, body: { error: 'invalid request signature' } };
    const sighting = replays.admit(signature!, Number(timestamp), now);
    // Full: refusing is safer than forgetting a signature that could still be replayed.
    if (sighting === 'full') return { status: 503, body: { error: 'busy' }, headers: { 'retry-after': '5' } };
    if (sighting !== 'first') return { status: 401, body: { error: 'replayed request' } };
    // Undefined (the database did not answer in time): this instance's own guard has decided.
    if (
      deps.guards &&
      (await deps.guards.admitOnce(
        // The signature's bytes, not its spelling: verification takes hex in either case.
        `discord:${signature!.toLowerCase()}`,
        // Twice the window: the database's clock may run ahead of this instance's.
        new Date((Number(timestamp) + 2 * MAX_SKEW_SECONDS) * 1000),
      )) === false
    )
      return { status: 401, body: { error: 'replayed request' } };
    if (!/^application\/json\b/i.test(header(req.headers['content-type']) ?? ''))
      return { status: 415, body: { error: 'expected application/json' } };
    let raw: APIInteraction;
    try {
      raw = JSON.parse(body.toString('utf8')) as APIInteraction;
      if (!raw || typeof raw !== 'object' || typeof (raw as { type?: unknown }).type !== 'number')
        throw new Error('no interaction type');
    } catch {
      return { status: 400, body: { error: 'body is not an interaction' } };
    }
    const decoded = decodeInteraction(raw as unknown as Record<string, unknown> & { type: number });
    if (!decoded.ok) return { status: 400, body: { error: decoded.error } };
    const input = decoded.input;
    try {
      const result = await handleInteraction(input, deps);
      // This response says "thinking"; the outcome edits it when it is ready.
      if (result.type === 'deferred') {
        const work = followUp(input, result.later, deps);
        if (deps.inFlight) deps.inFlight.track(work);
        else void work;
      }
      return answer(result);
    } catch (e) {
      // The one boundary for this transport: log with context, answer the user briefly.
      const trouble = storeTrouble(e);
      if (trouble) deps.log.warn({ err: e, interaction: raw.id, type: raw.type }, 'interaction refused: the store');
      else deps.log.error({ err: e, interaction: raw.id, type: raw.type }, 'interaction failed');
      if (input.kind === 'ping' || input.kind === 'autocomplete')
        return {
          status: 200,
          body: toApiResponse(input.kind === 'ping' ? { type: 'pong' } : { type: 'autocomplete', choices: [] }),
        };
      return {
        status: 200,
        body: toApiResponse({
          type: 'message',
          data: { content: trouble ?? `Something went wrong on my side (ref ${raw.id}). Try again in a moment.` },
          ephemeral: true,
        }),
      };
    }
  };
}

/**
 * The interaction's response: JSON, or multipart/form-data when it carries files (a chart), as
 * Discord takes an interaction response with files: the JSON as `payload_json` (its
 * `data.attachments` naming each file by index, with its alt text) and each file as `files[n]`.
 */
function answer(result: InteractionResult): RouteResponse {
  if ((result.type === 'message' || result.type === 'update') && result.files?.length) {
    const { body, contentType } = multipart(Buffer.from(JSON.stringify(toApiResponse(result))), result.files);
    return { status: 200, body, headers: { 'content-type': contentType } };
  }
  return { status: 200, body: serialise(result) };
}

/**
 * A multipart/form-data body in parts: `payload_json`, then the files as files[0], files[1]...
 * The files' bytes are parts of their own, written as they are (a chart is cached and shared).
 */
export function multipart(
  json: Buffer,
  files: readonly { name: string; data: Buffer }[],
): { body: Buffer[]; contentType: string } {
  let boundary: string;
  // A boundary must not occur in any part; 24 random hex digits almost never do, and are checked.
  do boundary = `whichgpu-${randomBytes(12).toString('hex')}`;
  while (files.some((f) => f.data.includes(boundary)));
  const parts: Buffer[] = [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="payload_json"\r\nContent-Type: application/json\r\n\r\n`,
    ),
    json,
  ];
  files.forEach((f, n) => {
    parts.push(
      Buffer.from(
        `\r\n--${boundary}\r\nContent-Disposition: form-data; name="files[${n}]"; filename="${f.name}"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      f.data,
    );
  });
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: parts, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Rendered messages are cached objects; the bytes of their JSON are cached beside them. */
const serialised = new WeakMap<object, Map<string, Buffer>>();

function serialise(result: InteractionResult): Buffer {
  if (result.type !== 'message' && result.type !== 'update') return Buffer.from(JSON.stringify(toApiResponse(result)));
  const variant = `${result.type}:${result.type === 'message' ? result.ephemeral : ''}`;
  let byVariant = serialised.get(result.data);
  if (!byVariant) serialised.set(result.data, (byVariant = new Map()));
  let json = byVariant.get(variant);
  if (json === undefined) byVariant.set(variant, (json = Buffer.from(JSON.stringify(toApiResponse(result)))));
  return json;
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
