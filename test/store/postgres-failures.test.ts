/**
 * The PostgreSQL store when things go wrong at scale, found by a review and kept as specifications:
 * a database host that vanishes without closing its sockets, a minute of signatures at hundreds of
 * requests a second, and a community with thousands of approved reports. Real server, no mocks.
 */
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres.js';
import { databasePerTest } from '../helpers/postgres.js';

/** A TCP proxy to PostgreSQL; blackhole() silences every connection open now (new ones pass). */
function proxy(targetHost: string, targetPort: number) {
  const open = new Set<{ frozen: boolean; a: Socket; b: Socket }>();
  const server: Server = createServer((a) => {
    const b = new Socket();
    const c = { frozen: false, a, b };
    open.add(c);
    b.connect(targetPort, targetHost);
    a.on('data', (d) => void (c.frozen || b.write(d)));
    b.on('data', (d) => void (c.frozen || a.write(d)));
    const end = () => {
      if (c.frozen) return; // a dead host sends no FIN either
      a.destroy();
      b.destroy();
      open.delete(c);
    };
    a.on('close', end);
    b.on('close', end);
    a.on('error', () => undefined);
    b.on('error', () => undefined);
  });
  return {
    listen: () =>
      new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port))),
    blackhole() {
      for (const c of open) c.frozen = true;
    },
    close() {
      for (const c of open) (c.a.destroy(), c.b.destroy());
      server.close();
    },
  };
}

describe('the PostgreSQL store at its limits', () => {
  const db = databasePerTest();

  it(
    'recovers within seconds when its host goes silent with reads in flight, and closes within 5 s',
    { timeout: 60_000 },
    async () => {
      const u = new URL(db.url);
      const p = proxy(u.hostname, Number(u.port));
      u.host = `127.0.0.1:${await p.listen()}`;
      const store = await PostgresStore.open(u.toString());
      try {
        // Ten reads in flight when the host goes silent; new connections still reach a live server.
        const inflight = Array.from({ length: 10 }, () => store.list('discord', 'g0').catch(() => 'failed'));
        await sleep(50);
        p.blackhole();
        const t0 = Date.now();
        let up = false;
        while (!up && Date.now() - t0 < 40_000) {
          up =
            (await store.ping()) &&
            (await store.list('discord', 'g1').then(
              () => true,
              () => false,
            ));
          if (!up) await sleep(250);
        }
        expect(up).toBe(true);
        // The pool's query timeout (2 s) frees each dead connection, where the kernel's would take ~15 min:
        // ~4 s alone, up to ~15 s with the whole suite on two cores.
        expect(Date.now() - t0).toBeLessThan(30_000);
        console.log(`reads answered again ${Date.now() - t0} ms after the host went silent`);
        await Promise.all(inflight);
      } finally {
        const closed = await Promise.race([store.close().then(() => 'closed'), sleep(5000).then(() => 'waiting')]);
        p.close();
        expect(closed).toBe('closed');
      }
    },
  );

  it("a minute's prune removes every expired signature, however many", async () => {
    const store = await PostgresStore.open(db.url);
    try {
      await store.pool.query(
        "INSERT INTO seen_signatures (key, expires_at) SELECT 'discord:' || g, now() - interval '1 minute' FROM generate_series(1, 20000) g",
      );
      await store.pruneShared();
      const left = await store.pool.query<{ n: string }>(
        'SELECT count(*) AS n FROM seen_signatures WHERE expires_at < now()',
      );
      expect(Number(left.rows[0]!.n)).toBe(0);
    } finally {
      await store.close();
    }
  });

  it(
    "a busy community's approved runs of one machine and model are found however many others it has",
    { timeout: 60_000 },
    async () => {
      const store = await PostgresStore.open(db.url);
      try {
        await store.pool
          .query(`INSERT INTO community_reports (platform, server_id, channel_id, reported_by, reported_by_name, reported_at, status, device, model, decode_tps, pasted)
        SELECT 'discord', 'g1', 'c', 'u', 'n', now(), 'approved', 'rtx-5090', CASE WHEN g <= 600 THEN 'qwen3-32b' ELSE 'm' || g END, 50, repeat('x', 4000)
        FROM generate_series(1, 5600) g`);
        const found = await store.approvedReports('discord', 'g1', 'rtx-5090', 'qwen3-32b');
        expect(found).toHaveLength(500);
      } finally {
        await store.close();
      }
    },
  );
});
