/**
 * One pino logger for the process; children carry platform, command and request ids. Tokens,
 * secrets and signatures are redacted wherever they appear in a logged object.
 */
import pino, { type Logger } from 'pino';

export const REDACT_PATHS = [
  'token',
  '*.token',
  'headers.authorization',
  'headers["x-signature-ed25519"]',
  'headers["x-slack-signature"]',
  '*.headers.authorization',
  '*.headers["x-signature-ed25519"]',
  '*.headers["x-slack-signature"]',
  'DISCORD_TOKEN',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'HF_TOKEN',
  '*.DISCORD_TOKEN',
  '*.SLACK_BOT_TOKEN',
  '*.SLACK_SIGNING_SECRET',
  '*.SLACK_APP_TOKEN',
  '*.HF_TOKEN',
  'SLACK_CLIENT_SECRET',
  'SLACK_STATE_SECRET',
  'SLACK_TOKEN_KEY',
  'DATABASE_URL',
  '*.SLACK_CLIENT_SECRET',
  '*.SLACK_STATE_SECRET',
  '*.SLACK_TOKEN_KEY',
  '*.DATABASE_URL',
  'signature',
  '*.signature',
  'body.token',
];

/**
 * Secrets that travel inside strings, where redact paths cannot reach: the interaction token in a
 * failed callback's err.url (it can post as the app for 15 minutes), webhook tokens, Slack
 * response_url secrets, and Slack or Discord tokens quoted in a message or a nested cause.
 */
const SECRETS_IN_TEXT: [RegExp, string][] = [
  [/(\/(?:interactions|webhooks)\/\d+\/)[^/?#\s"\\]+/g, '$1[redacted]'],
  [/(hooks\.slack(?:-gov)?\.com\/)[^\s"\\<>]+/g, '$1[redacted]'],
  [/(\/(?:actions|commands)\/[TE][A-Z0-9]+\/\d+\/)[A-Za-z0-9]+/g, '$1[redacted]'],
  [/\b(xox[a-z]|xapp)-[A-Za-z0-9-]+/g, '$1-[redacted]'],
  // A Hugging Face token (HF_TOKEN), quoted in an error or a header.
  [/\bhf_[A-Za-z0-9]{8,}/g, 'hf_[redacted]'],
  // A database URL's password (DATABASE_URL quoted in an error).
  [/(postgres(?:ql)?:\/\/[^:/@\s"]*:)[^@/\s"]+@/g, '$1[redacted]@'],
  // A bot token: base64 of the bot's id (so M, N or O first), a timestamp and an HMAC. The
  // look-behind keeps the scan linear on long runs of token characters (0.4 s/MB with \b).
  [/(?<![\w-])[MNO][\w-]{22,27}\.[\w-]{6,7}\.[\w-]{27,}/g, '[redacted]'],
];

/** `text` with every secret of SECRETS_IN_TEXT replaced; applied to each written log line. */
export function redactSecrets(text: string): string {
  for (const [pattern, replacement] of SECRETS_IN_TEXT) text = text.replace(pattern, replacement);
  return text;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'whichgpu' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // On the finished line, so an error's url, message, stack and causes are all covered, and
      // the lines Bolt logs through us too. Lines are rare (no per-request logging), so the cost is nil.
      hooks: { streamWrite: redactSecrets },
    },
    destination,
  );
}

export type { Logger };
