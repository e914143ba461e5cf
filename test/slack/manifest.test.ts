import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ANSWER_WITH, ANSWER_WITH_CALLBACK } from '../../commands/ask.js';

const manifest = parse(readFileSync(join(import.meta.dirname, '..', '..', 'slack-manifest.yml'), 'utf8'));

describe('slack-manifest.yml', () => {
  it('declares /whichgpu on /slack/events, the scopes the bot uses, interactivity, and Socket Mode as an option', () => {
    const cmd = manifest.features.slash_commands[0];
    expect(cmd.command).toBe('/whichgpu');
    expect(cmd.command.length).toBeGreaterThanOrEqual(2);
    expect(cmd.command.length).toBeLessThanOrEqual(32);
    expect(cmd.url).toMatch(/\/slack\/events$/);
    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining(['commands', 'chat:write', 'pins:write', 'users:read', 'usergroups:read']),
    );
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.settings).toHaveProperty('socket_mode_enabled');
  });

  it('declares the message shortcut "Answer with whichgpu" with the callback id its listener answers', () => {
    expect(manifest.features.shortcuts).toEqual([
      expect.objectContaining({ name: ANSWER_WITH, type: 'message', callback_id: ANSWER_WITH_CALLBACK }),
    ]);
    const s = manifest.features.shortcuts[0];
    expect(s.description.length).toBeLessThanOrEqual(150);
    expect(manifest.oauth_config.scopes.bot).toContain('chat:write');
  });
});
