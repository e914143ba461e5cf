/**
 * Configuration: dotenv, then one zod schema over process.env, validated once at start. A bad
 * value stops the process with a message naming the variable. What is set decides what starts.
 */
import { config as loadDotenv } from 'dotenv';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

export const EnvSchema = z.object({
  DISCORD_TOKEN: optionalString,
  DISCORD_APPLICATION_ID: optionalString.pipe(
    z
      .string()
      .regex(/^\d{17,20}$/, 'must be a Discord snowflake (17-20 digits)')
      .optional(),
  ),
  DISCORD_PUBLIC_KEY: optionalString.pipe(
    z
      .string()
      .regex(/^[0-9a-f]{64}$/i, 'must be the 64-hex-digit application public key')
      .optional(),
  ),
  DISCORD_GUILD_ID: optionalString.pipe(
    z
      .string()
      .regex(/^\d{17,20}$/, 'must be a Discord snowflake (17-20 digits)')
      .optional(),
  ),
  DISCORD_TRANSPORT: z.enum(['gateway', 'http']).default('gateway'),
  DISCORD_API_URL: optionalString.pipe(z.string().url('must be a URL').optional()),
  SLACK_BOT_TOKEN: optionalString.pipe(z.string().startsWith('xoxb-', 'must start with xoxb-').optional()),
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_APP_TOKEN: optionalString.pipe(z.string().startsWith('xapp-', 'must start with xapp-').optional()),
  SLACK_API_URL: optionalString.pipe(z.string().url('must be a URL').optional()),
  SLACK_MODERATORS: optionalString,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_PATH: optionalString,
  /**
   * postgres://user:pass@host:port/db selects the shared PostgreSQL store (several instances on one
   * database); without it, the embedded SQLite file at DATABASE_PATH.
   */
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(?:ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  /** Gateway shards: "auto" (Discord's recommendation from GET /gateway/bot) or a count. */
  DISCORD_SHARDS: optionalString.pipe(
    z
      .string()
      .regex(/^(?:auto|[1-9]\d{0,3})$/, 'must be "auto" or a number of shards (1-4096)')
      .transform((v) => (v === 'auto' ? ('auto' as const) : Number(v)))
      .optional(),
  ),
  /**
   * Slack distribution (many workspaces): OAuth installs at /slack/install and /slack/oauth_redirect.
   * SLACK_TOKEN_KEY (32 bytes, hex or base64) encrypts the stored bot tokens at rest.
   */
  SLACK_CLIENT_ID: optionalString,
  SLACK_CLIENT_SECRET: optionalString,
  SLACK_STATE_SECRET: optionalString,
  SLACK_TOKEN_KEY: optionalString.pipe(
    z
      .string()
      .refine(
        (k) => /^[0-9a-f]{64}$/i.test(k) || Buffer.from(k, 'base64').length === 32,
        'must be 32 bytes as 64 hex digits or base64',
      )
      .optional(),
  ),
  /** Where Slack's OAuth redirects back to (https://your.host/slack/oauth_redirect). */
  SLACK_REDIRECT_URL: optionalString.pipe(z.string().url('must be a URL').optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Token buckets: requests a user / a server may burst, and the steady rate per minute. */
  RATE_LIMIT_USER_BURST: z.coerce.number().int().min(1).max(1000).default(6),
  RATE_LIMIT_USER_PER_MINUTE: z.coerce.number().min(0.1).max(10_000).default(12),
  RATE_LIMIT_SERVER_BURST: z.coerce.number().int().min(1).max(100_000).default(60),
  RATE_LIMIT_SERVER_PER_MINUTE: z.coerce.number().min(0.1).max(1_000_000).default(240),
  /** Live model lookup (issue 14): the Hub, an optional token for gated repos, the Ollama registry. */
  HF_ENDPOINT: optionalString.pipe(z.string().url('must be a URL').default('https://huggingface.co')),
  HF_TOKEN: optionalString,
  OLLAMA_REGISTRY_URL: optionalString.pipe(z.string().url('must be a URL').default('https://registry.ollama.ai')),
  MODEL_LOOKUP: z.enum(['on', 'off']).default('on'),
  /** A chart with each verdict and plan on Discord and Slack (issue 18); off: text alone. */
  CHARTS: z.enum(['on', 'off']).default('on'),
});

export type Config = Readonly<z.infer<typeof EnvSchema> & { databasePath: string }>;

export class ConfigError extends Error {
  constructor(
    public readonly variable: string,
    detail: string,
  ) {
    super(`Invalid ${variable}: ${detail}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment (process.env after dotenv by default). */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? 'environment'), issue.message);
  }
  const databasePath = parsed.data.DATABASE_PATH ?? resolve(ROOT, 'var', 'whichgpu.sqlite');
  return Object.freeze({ ...parsed.data, databasePath });
}

/** Loads .env (if present) and validates the environment once. */
export function loadConfig(): Config {
  loadDotenv({ path: resolve(ROOT, '.env'), quiet: true });
  return parseConfig(process.env);
}
