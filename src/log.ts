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
  '*.DISCORD_TOKEN',
  '*.SLACK_BOT_TOKEN',
  '*.SLACK_SIGNING_SECRET',
  '*.SLACK_APP_TOKEN',
  'signature',
  '*.signature',
  'body.token',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { app: 'whichgpu' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}

export type { Logger };
