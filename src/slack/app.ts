/**
 * Slack: one slash command, /whichgpu, its buttons and the message shortcut "Answer with whichgpu",
 * on @slack/bolt. Over HTTP, Bolt's
 * HTTPReceiver verifies signatures and is mounted on our shared server at POST /slack/events;
 * with SLACK_APP_TOKEN, Socket Mode. This file builds the app and registers the listeners of
 * ./listeners.ts, which ack() first, then answer through response_url, also when the ack failed.
 */
import {
  App,
  HTTPReceiver,
  LogLevel,
  type Logger as BoltLogger,
  type ReceiverProcessEventErrorHandlerArgs,
} from '@slack/bolt';
import type { Catalog } from '../core/index.js';
import type { InFlight } from '../in-flight.js';
import type { Logger } from '../log.js';
import { ANSWER_WITH_CALLBACK } from '../../commands/ask.js';
import type { ModelLookup } from '../../commands/types.js';
import {
  ASK_ACTION,
  CONTEXT_ACTION,
  PIN_ACTION,
  PIN_MENU_ACTION,
  QUANT_ACTION,
  SOURCES_ACTION,
} from '../render/slack-ids.js';
import { MAX_BODY_BYTES } from '../server.js';
import type { Limiter } from '../rate-limit.js';
import {
  answerShortcut,
  askChoiceAction,
  pinAction,
  pinMenuAction,
  selectAction,
  sourcesAction,
  whichgpuCommand,
  type SlackDeps,
} from './listeners.js';
import { SlackModerators } from './moderators.js';
import type { Store } from '../store/store.js';

export interface SlackOptions {
  token: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl?: string;
  moderators: string[];
  catalog: Catalog;
  store: Store;
  log: Logger;
  limiter?: Limiter;
  /** Work still running after an ack; shutdown waits for it. */
  inFlight?: InFlight;
  /** Learns a model the catalog does not hold (after the ack); absent when lookup is off. */
  lookup?: ModelLookup | undefined;
}

export interface SlackApp {
  app: App;
  /** HTTP mode: the listener to mount at /slack/events. */
  receiver?: HTTPReceiver;
  socketMode: boolean;
}

/** Bolt's logs through our pino logger. */
export function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const child = log.child({ component: 'bolt' });
  return {
    debug: (...m: unknown[]) => child.debug(m.map(String).join(' ')),
    info: (...m: unknown[]) => child.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => child.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => child.error(m.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/**
 * Bolt throws while routing some signed but malformed payloads (`"event": null`, a block_actions
 * without `actions`, a view_submission without `view`) and would answer 500. Our listeners answer
 * their own failures (ackThen) and never throw, so what reaches this handler is a payload Bolt
 * could not route: 400. After an ack the answer has gone already, and the error is only logged.
 */
export function refuseUnroutable(log: Logger) {
  return async ({ error, response }: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> => {
    if (response.headersSent) {
      log.error({ err: error }, 'slack request failed after its ack');
      return false;
    }
    log.warn({ err: error }, 'slack payload Bolt could not route; answered 400');
    response
      .writeHead(400, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: 'malformed Slack payload' }));
    return true;
  };
}

export function createSlackApp(o: SlackOptions): SlackApp {
  const { app, receiver } = boltApp(o);
  register(app, {
    catalog: o.catalog,
    store: o.store,
    log: o.log,
    moderators: new SlackModerators(o.moderators, o.log),
    ...(o.limiter ? { limiter: o.limiter } : {}),
    ...(o.inFlight ? { inFlight: o.inFlight } : {}),
    ...(o.lookup ? { lookup: o.lookup } : {}),
  });
  return { app, ...(receiver ? { receiver } : {}), socketMode: Boolean(o.appToken) };
}

/** Bolt's App over Socket Mode (with an app token) or over our HTTP server (a receiver to mount). */
function boltApp(o: SlackOptions): { app: App; receiver?: HTTPReceiver } {
  const logger = boltLogger(o.log);
  const clientOptions = {
    ...(o.apiUrl ? { slackApiUrl: o.apiUrl } : {}),
    retryConfig: { retries: 1, maxTimeout: 1000 },
  };
  // Bolt's single-token authorize (token without tokenVerificationEnabled) calls auth.test on every
  // request before the listener runs, so each ack waited for a round trip to Slack, and a busy loop
  // or a slow Slack then let the unacknowledged-request timer answer 404 first. The bot's ids that
  // auth.test finds only serve to ignore the bot's own messages, which whichgpu does not listen to.
  const authorize = async () => ({ botToken: o.token });
  if (o.appToken) {
    // The Socket Mode client has its own Web API client (for apps.connections.open), configured
    // through installerOptions. Bolt would hand it our clientOptions, with the one quick retry meant
    // for answering users; given only the URL it keeps its own patient retries (100, backing off),
    // which reconnecting after a Slack outage needs.
    const socketClientOptions = o.apiUrl ? { slackApiUrl: o.apiUrl } : {};
    const app = new App({
      appToken: o.appToken,
      socketMode: true,
      logger,
      clientOptions,
      authorize,
      installerOptions: { clientOptions: socketClientOptions },
    });
    return { app };
  }
  if (!o.signingSecret) throw new Error('SLACK_SIGNING_SECRET is required for Slack over HTTP');
  // Bolt's own 3 s for an unacknowledged request (it was 1 s: a loop busy for a second lost the request).
  const receiver = new HTTPReceiver({
    signingSecret: o.signingSecret,
    endpoints: '/slack/events',
    logger,
    processBeforeResponse: false,
    bodyLimit: MAX_BODY_BYTES,
    processEventErrorHandler: refuseUnroutable(o.log),
  });
  return { app: new App({ receiver, logger, clientOptions, authorize }), receiver };
}

/** Every listener, registered explicitly; anything else Slack sends is acknowledged at once. */
function register(app: App, d: SlackDeps): void {
  // Bolt's argument types admit every payload kind; each listener reads a narrowed shape of them.
  app.command('/whichgpu', whichgpuCommand(d));
  app.action(new RegExp(`^(${QUANT_ACTION}|${CONTEXT_ACTION})$`), selectAction(d));
  app.action(SOURCES_ACTION, sourcesAction(d));
  app.action(PIN_ACTION, pinAction(d));
  app.action(PIN_MENU_ACTION, pinMenuAction(d));
  app.action(ASK_ACTION, askChoiceAction(d));
  app.shortcut(ANSWER_WITH_CALLBACK, answerShortcut(d));

  // Anything else Slack may send us is acknowledged at once, so it never waits for a timeout.
  app.command(/^(?!\/whichgpu$)/, async ({ ack }) =>
    ack({ response_type: 'ephemeral', text: 'whichgpu answers /whichgpu; try `/whichgpu help`.' }),
  );
  app.action(/^(?!whichgpu_)/, async ({ ack }) => ack());
  app.shortcut(new RegExp(`^(?!${ANSWER_WITH_CALLBACK}$)`), async ({ ack }) => ack());

  app.error(async (e) => {
    d.log.error({ err: e }, 'slack handler failed');
  });
}
