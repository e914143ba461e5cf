/**
 * Vitest globalSetup: one real PostgreSQL server for the whole `npm test` run, on a temporary folder and a free
 * loopback port, stopped and removed at the end. Test files reach it through `test/helpers/postgres.ts`.
 *
 * The run's folder holds `template/` (a cluster made by initdb and never started), `shared/` (a copy of it, the
 * server every test file shares) and `private-*` (copies started by files that need a server of their own, such as
 * a restart under load). Copying the template takes ~0.1 s where initdb takes ~1 s.
 */
import { spawn, execFileSync } from 'node:child_process';
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

/** The unprivileged account the server runs as when the tests run as root (initdb and pg_ctl refuse root). */
export interface RunAs {
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
}

/** One running server, as handed to the test workers. */
export interface PostgresServerInfo {
  /** A database made for general use (`whichgpu`); tests that write should prefer `freshDatabase()`. */
  readonly url: string;
  /** The `postgres` database, to create and drop others. */
  readonly adminUrl: string;
  readonly host: string;
  readonly port: number;
  readonly binDir: string;
  readonly dataDir: string;
  readonly socketDir: string;
  readonly logFile: string;
  /** The run's temporary folder, with the never-started `template/` cluster that private servers copy. */
  readonly runDir: string;
  readonly runAs: RunAs | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresServerInfo;
  }
}

const USER = 'whichgpu';
const HOST = '127.0.0.1';
const SERVER_BINARIES = ['initdb', 'pg_ctl', 'postgres'];
const HOW_TO_GET_ONE =
  'The tests start their own PostgreSQL server and need its binaries (initdb, pg_ctl, postgres): ' +
  'install them with `apt-get install postgresql` (Debian/Ubuntu; `brew install postgresql` on macOS), ' +
  'or set PG_BIN to the folder that holds them.';

const hasServerBinaries = (dir: string): boolean =>
  SERVER_BINARIES.every((name) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

/** `15.4` before `9.6`: the newest of Debian's side-by-side versions. */
const byVersionDescending = (a: string, b: string): number =>
  b.localeCompare(a, 'en', { numeric: true, sensitivity: 'base' });

/** Folders that may hold the server binaries, best first: pg_config's, Debian's newest, initdb's on PATH. */
function candidateBinDirs(env: NodeJS.ProcessEnv): string[] {
  const dirs: string[] = [];
  try {
    // pg_config also comes with libpq-dev alone, and then names a folder without the server: each is checked.
    dirs.push(
      execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
    );
  } catch {
    // no pg_config on PATH
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian))
    dirs.push(
      ...readdirSync(debian)
        .sort(byVersionDescending)
        .map((v) => join(debian, v, 'bin')),
    );
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const initdb = join(dir, 'initdb');
    // A symlink such as /usr/local/bin/initdb: pg_ctl and postgres are beside its target.
    if (existsSync(initdb)) dirs.push(dirname(realpathSync(initdb)));
  }
  return dirs;
}

/**
 * Where the server binaries are: PG_BIN if set (and then nowhere else), else `pg_config --bindir`, else the newest
 * `/usr/lib/postgresql/N/bin`, else the folder of `initdb` on PATH. `.ci/run` searches the same places.
 * Returns what was searched when nothing fits.
 */
export function findBinDir(env: NodeJS.ProcessEnv = process.env): { binDir: string } | { searched: string } {
  if (env.PG_BIN) return hasServerBinaries(env.PG_BIN) ? { binDir: env.PG_BIN } : { searched: `PG_BIN=${env.PG_BIN}` };
  const dirs = candidateBinDirs(env);
  const binDir = dirs.find(hasServerBinaries);
  if (binDir) return { binDir };
  const where = 'PG_BIN (unset), pg_config --bindir, /usr/lib/postgresql/*/bin, initdb on PATH';
  return { searched: dirs.length ? `${where}; folders without all of them: ${dirs.join(', ')}` : where };
}

/** Null when not root; else the `postgres` account the Debian package makes, or `nobody`. */
export function resolveRunAs(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  for (const user of ['postgres', 'nobody']) {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8', stdio: 'pipe' }).trim());
      return { user, uid: id('-u'), gid: id('-g') };
    } catch {
      // no such account: try the next
    }
  }
  throw new Error(
    'The tests run as root, and neither a `postgres` nor a `nobody` account exists to run PostgreSQL as.',
  );
}

/** Runs a command as `runAs` (or as ourselves), resolving with its output or rejecting with it. */
export function runCommand(runAs: RunAs | null, cwd: string, command: string, args: string[]): Promise<string> {
  // PG* variables from the caller's shell (PGDATA, PGPORT, ...) would steer pg_ctl away from the folder we name.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG')));
  // C messages: the log is read for "could not bind", and a locale missing on the machine makes initdb fail.
  Object.assign(env, { LC_ALL: 'C', LANG: 'C' });
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(runAs && { uid: runAs.uid, gid: runAs.gid }),
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output.trim()}`));
    });
  });
}

/** A port nothing listens on right now (another process may still take it before the server does: see startServer). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A folder the server account owns, so that it can write there. */
function makeOwnedDir(path: string, runAs: RunAs | null): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  if (runAs) chownSync(path, runAs.uid, runAs.gid);
  return path;
}

/**
 * Starts (`pg_ctl -w`) the cluster in `dataDir` on `port`, its socket in `socketDir`. Exported for the helpers'
 * restart, which must start the server exactly as it was.
 */
export async function startCluster(info: PostgresServerInfo): Promise<void> {
  const options = `-p ${info.port} -k ${info.socketDir} -c listen_addresses=${HOST} -c max_connections=200`;
  const args = ['-D', info.dataDir, '-l', info.logFile, '-w', '-t', '60', '-o', options, 'start'];
  await runCommand(info.runAs, info.runDir, join(info.binDir, 'pg_ctl'), args);
}

/** `pg_ctl stop`: `fast` ends the sessions and checkpoints; `immediate` is a crash, for a folder about to go. */
export async function stopCluster(
  info: Pick<PostgresServerInfo, 'binDir' | 'dataDir' | 'runDir' | 'runAs'>,
  mode: 'fast' | 'immediate',
): Promise<void> {
  await runCommand(info.runAs, info.runDir, join(info.binDir, 'pg_ctl'), [
    '-D',
    info.dataDir,
    '-m',
    mode,
    '-w',
    'stop',
  ]);
}

const logLength = (file: string): number => (existsSync(file) ? statSync(file).size : 0);

/**
 * Copies the run's template cluster to `<runDir>/<name>` and starts it on a free port, trying another port when
 * the one picked was taken in between.
 */
export async function serverFromTemplate(
  base: Pick<PostgresServerInfo, 'binDir' | 'runDir' | 'runAs'>,
  name: string,
): Promise<PostgresServerInfo> {
  const dir = makeOwnedDir(join(base.runDir, name), base.runAs);
  const dataDir = join(dir, 'data');
  await runCommand(base.runAs, dir, 'cp', ['-Rp', join(base.runDir, 'template'), dataDir]);
  const socketDir = makeOwnedDir(join(dir, 'socket'), base.runAs);
  const logFile = join(dir, 'server.log');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = (db: string) => `postgres://${USER}@${HOST}:${port}/${db}`;
    const info = { ...base, url: url(USER), adminUrl: url('postgres'), host: HOST, port, dataDir, socketDir, logFile };
    const logStart = logLength(logFile);
    try {
      await startCluster(info);
      return info;
    } catch (error) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(logStart) : '';
      if (attempt < 3 && /could not bind|already in use/i.test(log)) continue;
      throw new Error(
        `${(error as Error).message}\n--- ${logFile} ---\n${log.trim().split('\n').slice(-20).join('\n')}`,
      );
    }
  }
}

/** Sends SIGQUIT (PostgreSQL's immediate shutdown) to every server still running under the run's folder. */
const SWEEP = (runDir: string) =>
  `for f in '${runDir}'/*/data/postmaster.pid; do [ -f "$f" ] && kill -QUIT "$(head -n 1 "$f")" 2>/dev/null; done`;

/**
 * If this process dies without its teardown (SIGKILL, a crash), a detached shell stops the servers and removes the
 * folder, so no orphaned postgres keeps its port and shared memory. Teardown kills it.
 */
function startWatchdog(runDir: string): number | undefined {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${SWEEP(runDir)}; sleep 2; rm -rf '${runDir}'`;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return child.pid;
}

/** Picks a temporary folder the server account can reach: root's TMPDIR may be closed to it. */
function runParent(runAs: RunAs | null): string {
  const base = tmpdir();
  if (!runAs) return base;
  for (let dir = base; ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return '/tmp';
    if (dirname(dir) === dir) return base;
  }
}

/** initdb's the run's template, starts the shared server from it and makes its `whichgpu` database. */
async function startShared(base: Pick<PostgresServerInfo, 'binDir' | 'runDir' | 'runAs'>): Promise<PostgresServerInfo> {
  // --no-sync: the template is copied without a sync anyway and lives for one run; the server keeps fsync on.
  const initArgs = [
    '-D',
    join(base.runDir, 'template'),
    '-U',
    USER,
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ];
  await runCommand(base.runAs, base.runDir, join(base.binDir, 'initdb'), initArgs);
  const shared = await serverFromTemplate(base, 'shared');
  const client = new pg.Client({ connectionString: shared.adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${USER}`);
  } finally {
    await client.end();
  }
  return shared;
}

/** Vitest globalSetup: starts the shared server, provides its info, and returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const found = findBinDir();
  if (!('binDir' in found)) {
    throw new Error(`No PostgreSQL server binaries found (searched ${found.searched}). ${HOW_TO_GET_ONE}`);
  }
  const runAs = resolveRunAs();
  const runDir = makeOwnedDir(mkdtempSync(join(runParent(runAs), 'whichgpu-pg-')), runAs);
  const watchdog = startWatchdog(runDir);
  const base = { binDir: found.binDir, runDir, runAs };
  const teardown = async (): Promise<void> => {
    // The shared server, and private ones a test file failed to stop (a crashed worker): the data goes anyway.
    const running = readdirSync(runDir).filter((name) => existsSync(join(runDir, name, 'data', 'postmaster.pid')));
    const stop = (name: string) => stopCluster({ ...base, dataDir: join(runDir, name, 'data') }, 'immediate');
    await Promise.all(running.map((name) => stop(name).catch(() => undefined)));
    if (watchdog) {
      try {
        process.kill(watchdog);
      } catch {
        // already gone
      }
    }
    rmSync(runDir, { recursive: true, force: true, maxRetries: 5 });
  };
  const shared = await startShared(base).catch(async (error: Error) => {
    await teardown();
    const as = runAs ? ` as ${runAs.user}` : '';
    throw new Error(
      `Could not start a PostgreSQL server from ${base.binDir}${as}: ${error.message}\n\n${HOW_TO_GET_ONE}`,
    );
  });
  project.provide('postgres', shared);
  return teardown;
}
