import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Installation } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  InstallationSealError,
  SealedInstallationStore,
  installationKey,
  seal,
  tokenKey,
  unseal,
} from '../../src/slack/installations.js';
import { SqliteStore } from '../../src/store/store.js';

const KEY = randomBytes(32);
const TOKEN = 'xoxb-1111-2222-secretsecretsecret';

const workspaceInstall = (teamId = 'T1', token = TOKEN): Installation<'v2', false> => ({
  team: { id: teamId, name: 'Team' },
  enterprise: undefined,
  user: { id: 'UINSTALLER', token: undefined, scopes: undefined },
  bot: { id: 'B1', userId: 'UBOT', token, scopes: ['commands', 'chat:write'] },
  tokenType: 'bot',
  isEnterpriseInstall: false,
  appId: 'A1',
  authVersion: 'v2',
});

const orgInstall = (): Installation<'v2', true> => ({
  team: undefined,
  enterprise: { id: 'E1', name: 'Org' },
  user: { id: 'UINSTALLER', token: undefined, scopes: undefined },
  bot: { id: 'B2', userId: 'UBOT2', token: 'xoxb-org-token', scopes: ['commands'] },
  tokenType: 'bot',
  isEnterpriseInstall: true,
  enterpriseUrl: 'https://org.enterprise.slack.com/',
  appId: 'A1',
  authVersion: 'v2',
});

/** Flips one bit of the part of a sealed row at `index` (1 iv, 2 tag, 3 ciphertext). */
function flip(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  bytes[0]! ^= 1;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('sealing (AES-256-GCM under SLACK_TOKEN_KEY)', () => {
  it('round-trips, as v1.<iv>.<tag>.<ciphertext> in base64url with a fresh 12-byte IV each time', () => {
    const a = seal(KEY, 'hello', 'ctx');
    const b = seal(KEY, 'hello', 'ctx');
    expect(a).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(Buffer.from(a.split('.')[1]!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(a.split('.')[2]!, 'base64url')).toHaveLength(16);
    expect(a).not.toBe(b);
    expect(unseal(KEY, a, 'ctx')).toBe('hello');
    expect(unseal(KEY, b, 'ctx')).toBe('hello');
  });

  it('refuses a flipped bit in the IV, the tag or the ciphertext, never returning garbage', () => {
    const sealed = seal(KEY, JSON.stringify(workspaceInstall()), 'ctx');
    for (const part of [1, 2, 3]) {
      expect(() => unseal(KEY, flip(sealed, part), 'ctx')).toThrow(InstallationSealError);
      expect(() => unseal(KEY, flip(sealed, part), 'ctx')).toThrow(/SLACK_TOKEN_KEY|altered/);
    }
  });

  it('refuses another key, another context, a truncated or unversioned row', () => {
    const sealed = seal(KEY, 'hello', 'ctx');
    expect(() => unseal(randomBytes(32), sealed, 'ctx')).toThrow(/SLACK_TOKEN_KEY is not the key it was sealed with/);
    expect(() => unseal(KEY, sealed, 'other')).toThrow(InstallationSealError);
    expect(() => unseal(KEY, sealed.split('.').slice(0, 3).join('.'), 'ctx')).toThrow(/not a v1 sealed row/);
    expect(() => unseal(KEY, sealed.replace(/^v1/, 'v2'), 'ctx')).toThrow(/not a v1 sealed row/);
    expect(() => unseal(KEY, 'hello', 'ctx')).toThrow(InstallationSealError);
  });

  it('reads SLACK_TOKEN_KEY as 64 hex digits or as base64 of 32 bytes', () => {
    const raw = randomBytes(32);
    expect(tokenKey(raw.toString('hex'))).toEqual(raw);
    expect(tokenKey(raw.toString('hex').toUpperCase())).toEqual(raw);
    expect(tokenKey(raw.toString('base64'))).toEqual(raw);
    expect(() => tokenKey(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});

describe("installation keys (Bolt's queries)", () => {
  it('keys a workspace install by team, an org-wide install by enterprise', () => {
    expect(installationKey({ teamId: 'T1', enterpriseId: 'E1', isEnterpriseInstall: false })).toBe('T1');
    expect(installationKey({ teamId: 'T1', enterpriseId: 'E1', isEnterpriseInstall: true })).toBe('E1');
    expect(installationKey({ teamId: undefined, enterpriseId: 'E1', isEnterpriseInstall: true })).toBe('E1');
    expect(() => installationKey({ teamId: 'T1', isEnterpriseInstall: true })).toThrow(/enterprise id/);
    expect(() => installationKey({ isEnterpriseInstall: false })).toThrow(/team id/);
  });
});

describe('SealedInstallationStore over the SQLite store', () => {
  let dir: string;
  let store: SqliteStore;
  let installs: SealedInstallationStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'whichgpu-installs-'));
    store = SqliteStore.open(join(dir, 'db.sqlite'));
    installs = new SealedInstallationStore(store, KEY);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores a workspace install sealed under its team id and fetches it back whole', async () => {
    await installs.storeInstallation(workspaceInstall());
    const row = await store.readInstallation('T1');
    expect(row).toMatchObject({ teamId: 'T1', enterpriseId: null });
    expect(row!.sealed).toMatch(/^v1\./);
    expect(row!.sealed).not.toContain(TOKEN);
    expect(row!.sealed).not.toContain('secretsecret');
    expect(Buffer.from(row!.sealed.split('.')[3]!, 'base64url').toString('latin1')).not.toContain('xoxb-');
    const back = await installs.fetchInstallation({
      teamId: 'T1',
      enterpriseId: undefined,
      isEnterpriseInstall: false,
    });
    expect(back).toEqual(JSON.parse(JSON.stringify(workspaceInstall())));
    expect(back.bot?.token).toBe(TOKEN);
  });

  it('stores an org-wide install under its enterprise id; a workspace of the org finds it', async () => {
    await installs.storeInstallation(orgInstall());
    expect(await store.readInstallation('E1')).toMatchObject({ teamId: null, enterpriseId: 'E1' });
    const back = await installs.fetchInstallation({ teamId: 'T9', enterpriseId: 'E1', isEnterpriseInstall: true });
    expect(back.bot?.token).toBe('xoxb-org-token');
  });

  it('a reinstall replaces the row (a new token after a scope change)', async () => {
    await installs.storeInstallation(workspaceInstall('T1', 'xoxb-old'));
    await installs.storeInstallation(workspaceInstall('T1', 'xoxb-new'));
    const back = await installs.fetchInstallation({
      teamId: 'T1',
      enterpriseId: undefined,
      isEnterpriseInstall: false,
    });
    expect(back.bot?.token).toBe('xoxb-new');
  });

  it('fails plainly for a workspace that has not installed, for a row sealed with another key, and for a row moved to another workspace', async () => {
    const query = (teamId: string) => ({ teamId, enterpriseId: undefined, isEnterpriseInstall: false as const });
    await expect(installs.fetchInstallation(query('T404'))).rejects.toThrow(/not installed in T404/);
    await installs.storeInstallation(workspaceInstall('T1'));
    await expect(new SealedInstallationStore(store, randomBytes(32)).fetchInstallation(query('T1'))).rejects.toThrow(
      InstallationSealError,
    );
    const row = (await store.readInstallation('T1'))!;
    await store.saveInstallation('T2', { ...row, teamId: 'T2' });
    await expect(installs.fetchInstallation(query('T2'))).rejects.toThrow(/for T2 cannot be opened/);
    await store.saveInstallation('T1', { ...row, sealed: flip(row.sealed, 3) });
    await expect(installs.fetchInstallation(query('T1'))).rejects.toThrow(InstallationSealError);
  });

  it('deletes by the same key', async () => {
    await installs.storeInstallation(workspaceInstall('T1'));
    await installs.storeInstallation(orgInstall());
    await installs.deleteInstallation({ teamId: 'T1', enterpriseId: undefined, isEnterpriseInstall: false });
    await installs.deleteInstallation({ teamId: 'T5', enterpriseId: 'E1', isEnterpriseInstall: true });
    expect(await store.readInstallation('T1')).toBeUndefined();
    expect(await store.readInstallation('E1')).toBeUndefined();
  });
});

describe('opened installations are kept a minute (Bolt reads one on every request)', () => {
  /** A store over SQLite whose reads are counted and can be made to fail, as a database that is away. */
  function flakyStore() {
    const dir = mkdtempSync(join(tmpdir(), 'whichgpu-install-cache-'));
    const inner = SqliteStore.open(join(dir, 'db.sqlite'));
    const state = { reads: 0, down: false };
    const store = {
      saveInstallation: inner.saveInstallation.bind(inner),
      deleteInstallation: inner.deleteInstallation.bind(inner),
      readInstallation: async (key: string) => {
        state.reads++;
        if (state.down) throw new Error('the database is unavailable');
        return inner.readInstallation(key);
      },
    };
    return { store, state, close: () => (inner.closeNow(), rmSync(dir, { recursive: true, force: true })) };
  }

  it('answers again from memory, and from memory while the store is away; a workspace never seen gets the error', async () => {
    const f = flakyStore();
    try {
      const installs = new SealedInstallationStore(f.store, KEY);
      await installs.storeInstallation(workspaceInstall('T1'));
      const query = { teamId: 'T1', enterpriseId: undefined, isEnterpriseInstall: false };
      expect((await installs.fetchInstallation(query)).bot?.token).toBe(TOKEN);
      expect((await installs.fetchInstallation(query)).bot?.token).toBe(TOKEN);
      expect(f.state.reads).toBe(1);
      f.state.down = true;
      expect((await installs.fetchInstallation(query)).bot?.token).toBe(TOKEN);
      await expect(
        installs.fetchInstallation({ teamId: 'T9', enterpriseId: undefined, isEnterpriseInstall: false }),
      ).rejects.toThrow(/unavailable/);
      // A reinstall through this instance replaces what it holds.
      f.state.down = false;
      await installs.storeInstallation(workspaceInstall('T1', 'xoxb-new-token'));
      expect((await installs.fetchInstallation(query)).bot?.token).toBe('xoxb-new-token');
    } finally {
      f.close();
    }
  });
});
