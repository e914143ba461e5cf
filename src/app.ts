/**
 * Starts what the configuration asks for: Discord over the gateway or over HTTP interactions,
 * and the shared HTTP server (PORT) when something needs it. Returns a stop() for shutdown.
 */
import type { RequestListener, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from 'discord.js';
import type { Catalog } from './core/index.js';
import type { Config } from './config.js';
import { discordInteractionsRoute } from './discord/http-endpoint.js';
import { restPins } from './discord/rest.js';
import { discordPublicKey } from './discord/signature.js';
import type { Logger } from './log.js';
import { InFlight } from './in-flight.js';
import { modelLookupFor } from './lookup/commands.js';
import type { ModelLookup } from '../commands/types.js';
import { RateLimiter, SharedRateLimiter, type Limiter } from './rate-limit.js';
import { ChartDelivery } from './render/charts/delivery.js';
import { createHttpServer, type Route } from './server.js';
import type { SlackApp } from './slack/app.js';
import type { Store } from './store/store.js';

export interface RunningApp {
  server?: Server;
  port?: number;
  discord?: Client;
  slack?: SlackApp;
  stop(): Promise<void>;
}

export class StartError extends Error {}

/** How long shutdown waits for answers still on their way (a deferred pin's REST deadline is 10 s). */
export const IN_FLIGHT_GRACE_MS = 12_000;

export function platformsConfigured(c: Config): boolean {
  return Boolean(c.DISCORD_TOKEN || c.DISCORD_PUBLIC_KEY || c.SLACK_BOT_TOKEN || c.SLACK_CLIENT_ID);
}

type AppDeps = { catalog: Catalog; store: Store; log: Logger };
/** What every platform adapter shares: the store and catalog, one rate limiter, one in-flight set, the model lookup, the charts. */
type Shared = AppDeps & {
  limiter: Limiter;
  inFlight: InFlight;
  lookup: ModelLookup | undefined;
  charts: ChartDelivery | undefined;
};

export async function startApp(config: Config, deps: AppDeps): Promise<RunningApp> {
  const log = deps.log;
  // A write the store refuses (full disk, held lock) is answered as a value; the store logs it here.
  deps.store.logTo(log.child({ component: 'store' }));
  const shared: Shared = {
    ...deps,
    lookup: modelLookupFor(config, deps.store),
    // Answers that go on after their request was answered (deferred pins, Slack work after an ack).
    inFlight: new InFlight(),
    limiter: limiterFor(config, deps.store),
    // One cache and one render queue for both platforms: a question asked on each is drawn once.
    charts:
      config.CHARTS === 'on'
        ? new ChartDelivery({ catalog: deps.catalog, log: log.child({ component: 'charts' }) })
        : undefined,
  };
  const routes: Record<string, Route> = {};
  const rawRoutes: Record<string, RequestListener> = {};
  const discord = await startDiscord(config, shared, routes);
  const slack = await startSlack(config, shared, rawRoutes);
  let ready = false;
  const http = await listen(
    config.PORT,
    routes,
    rawRoutes,
    log,
    () => ready,
    () => deps.store.ping(),
  );
  ready = true;

  return {
    ...(http ? http : {}),
    ...(discord ? { discord } : {}),
    ...(slack ? { slack } : {}),
    async stop() {
      ready = false;
      if (http) await closeServer(http.server);
      // No new work from the gateway or Socket Mode either. What is in flight answers without
      // them: interaction callbacks and webhook edits need no bot token, Slack's response_url no socket.
      if (discord) await discord.destroy();
      if (slack?.socketMode) await slack.app.stop();
      // A deferred pin is bounded by its 10 s REST deadline; a Slack answer by the Web API's retries.
      if (!(await shared.inFlight.settle(IN_FLIGHT_GRACE_MS)))
        log.warn({ left: shared.inFlight.size }, 'stopped with work still in flight');
    },
  };
}

/** This process's token buckets, or the ones every instance on a shared store uses. */
function limiterFor(config: Config, store: Store): Limiter {
  const limits = {
    user: { capacity: config.RATE_LIMIT_USER_BURST, perMinute: config.RATE_LIMIT_USER_PER_MINUTE },
    server: { capacity: config.RATE_LIMIT_SERVER_BURST, perMinute: config.RATE_LIMIT_SERVER_PER_MINUTE },
  };
  return store.guards ? new SharedRateLimiter(store.guards, limits) : new RateLimiter(limits);
}

/** Discord over HTTP interactions (a route on the shared server) or over the gateway (a client). */
async function startDiscord(
  config: Config,
  shared: Shared,
  routes: Record<string, Route>,
): Promise<Client | undefined> {
  if (config.DISCORD_TRANSPORT === 'http' && (config.DISCORD_PUBLIC_KEY || config.DISCORD_TOKEN)) {
    if (!config.DISCORD_PUBLIC_KEY)
      throw new StartError(
        'DISCORD_TRANSPORT=http needs DISCORD_PUBLIC_KEY (the application public key) to verify requests.',
      );
    if (!config.DISCORD_TOKEN)
      throw new StartError('DISCORD_TRANSPORT=http needs DISCORD_TOKEN for REST calls such as pinning.');
    routes['/discord/interactions'] = discordInteractionsRoute({
      ...shared,
      log: shared.log.child({ platform: 'discord', transport: 'http' }),
      rest: restPins(config.DISCORD_TOKEN, config.DISCORD_API_URL),
      publicKey: discordPublicKey(config.DISCORD_PUBLIC_KEY),
      ...(shared.store.guards ? { guards: shared.store.guards } : {}),
    });
    return undefined;
  }
  if (!config.DISCORD_TOKEN) return undefined;
  // Loaded only when used: discord.js and Bolt are the slowest imports at start.
  const { startGateway } = await import('./discord/gateway.js');
  const log = shared.log.child({ platform: 'discord', transport: 'gateway' });
  return startGateway(
    config.DISCORD_TOKEN,
    config.DISCORD_API_URL,
    { ...shared, log },
    shared.log,
    config.DISCORD_SHARDS,
  );
}

/** Slack over Socket Mode (a WebSocket, no port) or over HTTP (a raw route Bolt's receiver answers). */
async function startSlack(
  config: Config,
  shared: Shared,
  rawRoutes: Record<string, RequestListener>,
): Promise<SlackApp | undefined> {
  const oauth = slackOAuthConfig(config);
  if (!config.SLACK_BOT_TOKEN && !oauth) return undefined;
  if (!config.SLACK_APP_TOKEN && !config.SLACK_SIGNING_SECRET)
    throw new StartError('Slack over HTTP needs SLACK_SIGNING_SECRET (or set SLACK_APP_TOKEN for Socket Mode).');
  const { createSlackApp, REDIRECT_PATH } = await import('./slack/app.js');
  if (oauth?.redirectUrl && !new URL(oauth.redirectUrl).pathname.endsWith(REDIRECT_PATH))
    throw new StartError(`SLACK_REDIRECT_URL must end with ${REDIRECT_PATH}, the path that completes an install.`);
  const { tokenKey } = await import('./slack/installations.js');
  const slack = createSlackApp({
    ...(oauth ? { oauth: { ...oauth, tokenKey: tokenKey(oauth.tokenKey) } } : { token: config.SLACK_BOT_TOKEN! }),
    ...(config.SLACK_SIGNING_SECRET ? { signingSecret: config.SLACK_SIGNING_SECRET } : {}),
    ...(config.SLACK_APP_TOKEN ? { appToken: config.SLACK_APP_TOKEN } : {}),
    ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
    moderators: (config.SLACK_MODERATORS ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
    ...shared,
    log: shared.log.child({ platform: 'slack' }),
  });
  if (slack.socketMode) await slack.app.start();
  else {
    const { slackEventsRoute } = await import('./slack/http-route.js');
    rawRoutes['/slack/events'] = slackEventsRoute(
      slack.receiver!.requestListener,
      config.SLACK_SIGNING_SECRET!,
      shared.store.guards,
    );
    Object.assign(rawRoutes, slack.installRoutes);
  }
  return slack;
}

/**
 * Distribution mode's settings when SLACK_CLIENT_ID, SLACK_CLIENT_SECRET or SLACK_STATE_SECRET is
 * set: all three, SLACK_TOKEN_KEY (installations are stored sealed) and HTTP (the install pages are
 * routes on our server), or the start is refused naming what is missing. In this mode every request
 * is answered with its own workspace's token, so SLACK_BOT_TOKEN is not used.
 */
function slackOAuthConfig(
  c: Config,
): { clientId: string; clientSecret: string; stateSecret: string; tokenKey: string; redirectUrl?: string } | undefined {
  const named = {
    SLACK_CLIENT_ID: c.SLACK_CLIENT_ID,
    SLACK_CLIENT_SECRET: c.SLACK_CLIENT_SECRET,
    SLACK_STATE_SECRET: c.SLACK_STATE_SECRET,
  };
  if (!Object.values(named).some(Boolean)) return undefined;
  const missing = Object.entries(named)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length) throw new StartError(`Slack distribution (OAuth installs) also needs ${missing.join(' and ')}.`);
  if (!c.SLACK_TOKEN_KEY)
    throw new StartError(
      'Slack distribution (OAuth installs) needs SLACK_TOKEN_KEY (32 bytes, e.g. `openssl rand -hex 32`) to encrypt the stored bot tokens.',
    );
  if (c.SLACK_APP_TOKEN)
    throw new StartError(
      'Slack distribution (OAuth installs) runs over HTTP: unset SLACK_APP_TOKEN and set SLACK_SIGNING_SECRET.',
    );
  if (c.SLACK_BOT_TOKEN)
    throw new StartError(
      'Slack distribution (OAuth installs) answers each workspace with its own installed token: unset SLACK_BOT_TOKEN (install your own workspace through /slack/install).',
    );
  return {
    clientId: named.SLACK_CLIENT_ID!,
    clientSecret: named.SLACK_CLIENT_SECRET!,
    stateSecret: named.SLACK_STATE_SECRET!,
    tokenKey: c.SLACK_TOKEN_KEY,
    ...(c.SLACK_REDIRECT_URL ? { redirectUrl: c.SLACK_REDIRECT_URL } : {}),
  };
}

/** The one HTTP server on PORT, when some route needs it. */
async function listen(
  port: number,
  routes: Record<string, Route>,
  rawRoutes: Record<string, RequestListener>,
  log: Logger,
  isReady: () => boolean,
  storeReady: () => Promise<boolean>,
): Promise<{ server: Server; port: number } | undefined> {
  if (Object.keys(routes).length + Object.keys(rawRoutes).length === 0) return undefined;
  const server = createHttpServer({ routes, rawRoutes, log: log.child({ component: 'http' }), isReady, storeReady });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  log.info({ port: bound, routes: [...Object.keys(routes), ...Object.keys(rawRoutes)] }, 'http server listening');
  return { server, port: bound };
}

/** Stops accepting, lets in-flight requests finish (up to 4 s), then closes every connection. */
async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive sockets go idle as their last response is written: close them as they do.
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  server.closeIdleConnections();
  let deadline: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise((r) => (deadline = setTimeout(r, 4000)))]);
  clearTimeout(deadline);
  clearInterval(sweep);
  server.closeAllConnections();
}
