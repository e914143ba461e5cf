import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const coreDir = join(import.meta.dirname, '..', '..', 'src', 'core');
const FORBIDDEN = [
  /from ['"]discord/,
  /from ['"]@slack\//,
  /from ['"]@discordjs\//,
  /from ['"]pino/,
  /from ['"]dotenv/,
  /from ['"]better-sqlite3/,
  /from ['"]node:/,
  /from ['"](fs|fs\/promises|net|http|https|child_process|os|path|process|dgram|worker_threads|crypto|url)['"]/,
  /\bimport\s*\(/,
  /\brequire\s*\(/,
  /\bprocess\./,
  /globalThis\.process/,
  /\bconsole\./,
  /from ['"]\.\.\//,
];

describe('the core is pure', () => {
  const files = readdirSync(coreDir).filter((f) => f.endsWith('.ts'));
  it('has files to check', () => expect(files.length).toBeGreaterThan(5));
  it.each(files)('%s imports no platform, logger, config or I/O and reads no environment', (f) => {
    const text = readFileSync(join(coreDir, f), 'utf8');
    for (const re of FORBIDDEN) expect(text, `${f} matches ${re}`).not.toMatch(re);
  });
});
