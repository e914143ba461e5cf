import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandDefinitions } from '../../src/discord/registration.js';
import { FakeDiscordApi } from '../fakes/discord-api.js';

const root = join(import.meta.dirname, '..', '..');
const fake = new FakeDiscordApi();
beforeAll(() => fake.start());
afterAll(() => fake.stop());

describe('command registration', () => {
  it("describes every command within Discord's limits, installable to guilds and users", () => {
    const defs = commandDefinitions() as {
      name: string;
      description: string;
      options?: { name: string; description: string; choices?: unknown[] }[];
      type?: number;
      integration_types: number[];
      contexts: number[];
    }[];
    expect(defs.map((d) => d.name)).toEqual([
      'ask',
      'compare',
      'plan',
      'verdicts',
      'settings',
      'help',
      'report',
      'reports',
      'Answer with whichgpu',
    ]);
    // The message command (type 3) has its own rules: test/discord/ask.test.ts.
    const slash = defs.filter((d) => d.type === undefined);
    expect(slash).toHaveLength(8);
    for (const d of slash) {
      expect(d.name).toMatch(/^[a-z0-9_-]{1,32}$/);
      expect(d.description.length).toBeGreaterThan(0);
      expect(d.description.length).toBeLessThanOrEqual(100);
      expect((d.options ?? []).length).toBeLessThanOrEqual(25);
      for (const o of d.options ?? []) {
        expect(o.name).toMatch(/^[a-z0-9_-]{1,32}$/);
        expect(o.description.length).toBeLessThanOrEqual(100);
        expect((o.choices ?? []).length).toBeLessThanOrEqual(25);
      }
      expect(d.integration_types).toEqual([0, 1]);
      // Community reports belong to a server and its moderators: offered in servers only.
      expect(d.contexts).toEqual(d.name.startsWith('report') ? [0] : [0, 1, 2]);
    }
  });

  it('npm run register PUTs them in bulk to the development guild', { timeout: 30_000 }, async () => {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DISCORD_TOKEN: 'test-token',
      DISCORD_APPLICATION_ID: '444444444444444444',
      DISCORD_GUILD_ID: '111111111111111111',
      DISCORD_API_URL: fake.url,
    };
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts', 'register.ts')],
      { cwd: root, env },
    );
    expect(stdout).toMatch(/to guild 111111111111111111/);
    const put = await fake.waitFor(
      (r) => r.method === 'PUT' && r.path === '/applications/444444444444444444/guilds/111111111111111111/commands',
    );
    expect((put.body as { name: string }[]).map((c) => c.name)).toEqual(
      expect.arrayContaining(['ask', 'compare', 'Answer with whichgpu']),
    );
  });

  it('without a token it says what is missing and exits 2', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'register.ts')], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/needs DISCORD_TOKEN/) });
  });
});
