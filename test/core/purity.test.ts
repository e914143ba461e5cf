import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
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
];

/** Every .ts file under `dir`, at any depth, relative to `dir`. */
export function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .sort();
}

/** What a core file must not do; the relative imports that leave src/core are named. */
export function impurities(file: string, text: string): string[] {
  const found = FORBIDDEN.filter((re) => re.test(text)).map((re) => `matches ${re}`);
  for (const m of text.matchAll(/from\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const target = resolve(dirname(file), m[1]!);
    if (relative(coreDir, target).startsWith('..')) found.push(`imports ${m[1]} from outside src/core`);
  }
  return found;
}

describe('the core is pure', () => {
  const files = sourcesUnder(coreDir);
  it('walks every folder of the core', () => {
    expect(files.length).toBeGreaterThan(15);
    for (const folder of ['catalog', 'query', 'physics', 'verdict'])
      expect(files.some((f) => f.startsWith(`${folder}/`))).toBe(true);
  });

  it.each(files)(
    '%s imports no platform, logger, config or I/O, nothing outside the core, and reads no environment',
    (f) => {
      const path = join(coreDir, f);
      expect(impurities(path, readFileSync(path, 'utf8'))).toEqual([]);
    },
  );

  it('bites: a file in a sub-folder that reaches out of the core or into node: is caught', () => {
    const nested = join(coreDir, 'verdict', 'words.ts');
    expect(impurities(nested, "import { x } from '../physics/speed.js';")).toEqual([]);
    expect(impurities(nested, "import { log } from '../../log.js';")).toEqual([
      'imports ../../log.js from outside src/core',
    ]);
    expect(impurities(nested, "import { readFileSync } from 'node:fs';")).toHaveLength(1);
    expect(impurities(nested, 'const t = process.env.TOKEN;')).toHaveLength(1);
  });
});
