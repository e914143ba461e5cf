/**
 * Slack workspaces that installed whichgpu through OAuth (distribution mode): Bolt's
 * InstallationStore over our Store. A row is keyed by the enterprise id for an org-wide install
 * and by the team id otherwise, the same keys Bolt's authorize asks for on every request.
 *
 * The store never sees a token in clear: the whole installation (bot token, and any user or
 * refresh token Slack returned) is sealed with AES-256-GCM under SLACK_TOKEN_KEY, with the row's
 * key as associated data, so a row copied under another workspace's key does not open either.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { Store } from '../store/port.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A sealed installation that cannot be opened: another SLACK_TOKEN_KEY, or a row altered at rest. */
export class InstallationSealError extends Error {
  readonly code = 'SLACK_INSTALLATION_UNREADABLE';
  constructor(message: string) {
    super(message);
    this.name = 'InstallationSealError';
  }
}

/** SLACK_TOKEN_KEY as 32 bytes: 64 hex digits, or base64 (config.ts has checked one of the two). */
export function tokenKey(text: string): Buffer {
  // Hex first: 64 hex digits are also valid base64, of 48 bytes.
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new InstallationSealError('SLACK_TOKEN_KEY must be 32 bytes (64 hex digits or base64)');
  return key;
}

/** Associated data: what a sealed row belongs to (its key), so rows cannot be swapped between workspaces. */
const aad = (context: string) => Buffer.from(`whichgpu slack installation ${context}`, 'utf8');

/** `v1.<iv>.<tag>.<ciphertext>` (base64url) of `text`, bound to `context` (not stored). */
export function seal(key: Buffer, text: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(context));
  const ciphertext = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  const b64 = (b: Buffer) => b.toString('base64url');
  return `${VERSION}.${b64(iv)}.${b64(cipher.getAuthTag())}.${b64(ciphertext)}`;
}

/** The text `seal` sealed under the same key and context; throws InstallationSealError otherwise. */
export function unseal(key: Buffer, sealed: string, context: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION)
    throw new InstallationSealError(`the stored Slack installation for ${context} is not a ${VERSION} sealed row`);
  const [iv, tag, ciphertext] = parts.slice(1).map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
    throw new InstallationSealError(`the stored Slack installation for ${context} is malformed`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(context));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    // GCM says only "unable to authenticate data": a wrong key and an altered row look the same.
    throw new InstallationSealError(
      `the stored Slack installation for ${context} cannot be opened: SLACK_TOKEN_KEY is not the key it was sealed with, or the row was altered`,
    );
  }
}

/** The row an installation or a query belongs to: the org for an org-wide install, else the workspace. */
export function installationKey(q: {
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
  isEnterpriseInstall?: boolean | undefined;
}): string {
  const key = q.isEnterpriseInstall ? q.enterpriseId : q.teamId;
  if (!key)
    throw new Error(
      q.isEnterpriseInstall ? 'an org-wide installation without an enterprise id' : 'an installation without a team id',
    );
  return key;
}

/** How long a workspace's opened installation is used without reading the store again. */
export const INSTALLATION_FRESH_MS = 60_000;

/**
 * Bolt's InstallationStore over our Store, sealing each installation under SLACK_TOKEN_KEY.
 * Bolt reads the installation on every request before any listener runs, so opened ones are kept
 * in memory: a request costs no store read for a minute, and while the store is away a workspace
 * seen before is still answered (a stale installation beats silence: Bolt would otherwise ack with
 * an empty 200 and no listener would run, not even `help`). A reinstall or an uninstall through
 * this instance replaces the entry; through another, it shows within the minute.
 */
export class SealedInstallationStore implements InstallationStore {
  private readonly opened = new Map<string, { at: number; installation: Installation<'v1' | 'v2', boolean> }>();

  constructor(
    private readonly store: Pick<Store, 'saveInstallation' | 'readInstallation' | 'deleteInstallation'>,
    private readonly key: Buffer,
  ) {}

  async storeInstallation<V extends 'v1' | 'v2'>(installation: Installation<V, boolean>): Promise<void> {
    const key = installationKey({
      teamId: installation.team?.id,
      enterpriseId: installation.enterprise?.id,
      isEnterpriseInstall: installation.isEnterpriseInstall,
    });
    await this.store.saveInstallation(key, {
      teamId: installation.team?.id ?? null,
      enterpriseId: installation.enterprise?.id ?? null,
      sealed: seal(this.key, JSON.stringify(installation), key),
    });
    this.opened.delete(key);
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v1' | 'v2', boolean>> {
    const key = installationKey(query);
    const held = this.opened.get(key);
    if (held && Date.now() - held.at < INSTALLATION_FRESH_MS) return held.installation;
    let row: Awaited<ReturnType<Store['readInstallation']>>;
    try {
      row = await this.store.readInstallation(key);
    } catch (e) {
      if (held) return held.installation;
      throw e;
    }
    // Bolt's authorize turns this into an AuthorizationError: the request is acknowledged, no listener runs.
    if (!row) {
      this.opened.delete(key);
      throw new Error(`whichgpu is not installed in ${key}`);
    }
    const installation = JSON.parse(unseal(this.key, row.sealed, key)) as Installation<'v1' | 'v2', boolean>;
    if (this.opened.size > 10_000) this.opened.clear();
    this.opened.set(key, { at: Date.now(), installation });
    return installation;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    const key = installationKey(query);
    this.opened.delete(key);
    await this.store.deleteInstallation(key);
  }
}
