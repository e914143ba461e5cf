/**
 * Slack: one slash command, /whichgpu, its buttons and the message shortcut "Answer with whichgpu",
 * on @slack/bolt. Over HTTP, Bolt's
 * HTTPReceiver verifies signatures and is mounted on our shared server at POST /slack/events;
 * with SLACK_APP_TOKEN, Socket Mode. This file builds the app and registers the listeners of
 * ./listeners.ts, which ack() first, then answer through response_url, also when the ack failed.
 *
 * Distribution (many workspaces): with OAuth options the same HTTPReceiver also runs Bolt's
 * InstallProvider (@slack/oauth), which serves GET /slack/install and GET /slack/oauth_redirect,
 * and each request is authorized with its own workspace's bot token from ./installations.ts.
 */
import type { RequestListener } from 'node:http';
import {
  App,
  HTTPReceiver,
  LogLevel,
  type Logger as BoltLogger,
  type ReceiverProcessEventErrorHandlerArgs,
} from '@slack/bolt';
import type { Catalog } from '../core/index.js';
import type { ChartDelivery } from '../render/charts/delivery.js';
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
import { SLACK_REPORT_ACTION, SLACK_REPORT_PAGE } from '../render/report-ids.js';
import { MAX_BODY_BYTES } from '../server.js';
import type { Limiter } from '../rate-limit.js';
import {
  answerShortcut,
  askChoiceAction,
  pinAction,
  reportAction,
  pinMenuAction,
  selectAction,
  sourcesAction,
  whichgpuCommand,
  type SlackDeps,
} from './listeners.js';
import { SlackModerators } from './moderators.js';
import { SealedInstallationStore } from './installations.js';
import type { Store } from '../store/store.js';

/**
 * The bot scopes an OAuth install asks for: slack-manifest.yml's `oauth_config.scopes.bot`
 * (test/slack/oauth.test.ts holds the two equal). Kept here rather than read from the manifest at
 * start: the YAML parser is a development dependency.
 */
export const BOT_SCOPES = [
  'commands',
  'chat:write',
  'pins:write',
  'users:read',
  'usergroups:read',
  'files:write',
] as const;

/** The paths Bolt's InstallProvider answers (its defaults, named so the server mounts the same ones). */
export const INSTALL_PATH = '/slack/install';
export const REDIRECT_PATH = '/slack/oauth_redirect';

/** Distribution mode: OAuth installs in many workspaces, each request answered with its workspace's token. */
export interface SlackOAuthOptions {
  clientId: string;
  clientSecret: string;
  /** Signs the OAuth state parameter (Bolt's ClearStateStore); no server-side state is kept. */
  stateSecret: string;
  /** SLACK_TOKEN_KEY, 32 bytes: seals every stored installation. */
  tokenKey: Buffer;
  /** The redirect URL registered with Slack; Slack uses the app's only one when absent. */
  redirectUrl?: string;
}

export interface SlackOptions {
  /** The single-workspace bot token; absent in distribution mode (`oauth`). */
  token?: string;
  oauth?: SlackOAuthOptions;
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
  /** Charts uploaded under public verdicts and plans; absent: text alone. */
  charts?: ChartDelivery | undefined;
}

export interface SlackApp {
  app: App;
  /** HTTP mode: the listener to mount at /slack/events. */
  receiver?: HTTPReceiver;
  /** Distribution mode: GET listeners for /slack/install and /slack/oauth_redirect. */
  installRoutes?: Record<string, RequestListener>;
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
    ...(o.charts ? { charts: o.charts } : {}),
  });
  return {
    app,
    ...(receiver ? { receiver } : {}),
    ...(receiver && o.oauth ? { installRoutes: installRoutes(receiver.requestListener) } : {}),
    socketMode: Boolean(o.appToken),
  };
}

/**
 * The OAuth pages, GET only: Bolt's listener throws on a method or path it does not serve, and
 * the install pages have no other.
 */
function installRoutes(bolt: RequestListener): Record<string, RequestListener> {
  const getOnly: RequestListener = (req, res) => {
    if (req.method === 'GET') return bolt(req, res);
    req.resume();
    res.writeHead(405, { 'content-type': 'application/json', allow: 'GET' }).end(JSON.stringify({ error: 'GET only' }));
  };
  return { [INSTALL_PATH]: getOnly, [REDIRECT_PATH]: getOnly };
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
  const token = o.token;
  const authorize = async () => ({ botToken: token });
  if (!token && !o.oauth) throw new Error('Slack needs SLACK_BOT_TOKEN, or the OAuth settings for distribution');
  if (o.appToken && o.oauth) throw new Error('Slack distribution (OAuth) runs over HTTP, not Socket Mode');
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
    ...(o.oauth ? oauthReceiverOptions(o.store, o.oauth, clientOptions) : {}),
  });
  // Bolt refuses an `authorize` beside an InstallProvider: the installer's own authorize reads the store.
  return { app: new App({ receiver, logger, clientOptions, ...(o.oauth ? {} : { authorize }) }), receiver };
}

/**
 * Distribution: with these options Bolt's HTTPReceiver builds an InstallProvider, which serves the
 * install pages and authorizes each request with the team's or org's installation from the store.
 */
function oauthReceiverOptions(store: Store, oauth: SlackOAuthOptions, clientOptions: object) {
  return {
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    stateSecret: oauth.stateSecret,
    installationStore: new SealedInstallationStore(store, oauth.tokenKey),
    scopes: [...BOT_SCOPES],
    ...(oauth.redirectUrl ? { redirectUri: oauth.redirectUrl } : {}),
    installerOptions: {
      installPath: INSTALL_PATH,
      redirectUriPath: REDIRECT_PATH,
      // GET /slack/install goes straight to Slack's consent screen (302), as the app
      // directory's "Direct Install URL" expects, rather than to a page with a button.
      directInstall: true,
      // oauth.v2.access and auth.test during an install go where the rest of the Web API goes.
      clientOptions,
    },
  };
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
  app.action(SLACK_REPORT_ACTION, reportAction(d));
  app.action(SLACK_REPORT_PAGE, reportAction(d));
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
