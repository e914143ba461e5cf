import { describe, expect, it } from 'vitest';
import { InFlight } from '../src/in-flight.js';

describe('work in flight after an answer', () => {
  it('settle() waits for tracked work, including work tracked while waiting, and failed work counts as settled', async () => {
    const f = new InFlight();
    const done: string[] = [];
    f.track(
      new Promise((r) => setTimeout(r, 30)).then(() => {
        done.push('a');
        f.track(new Promise((r) => setTimeout(r, 30)).then(() => done.push('b')));
      }),
    );
    f.track(Promise.reject(new Error('its own error')));
    expect(await f.settle(2000)).toBe(true);
    expect(done).toEqual(['a', 'b']);
    expect(f.size).toBe(0);
  });

  it('settle() gives up after its bound and says so', async () => {
    const f = new InFlight();
    f.track(new Promise(() => undefined));
    expect(await f.settle(20)).toBe(false);
    expect(f.size).toBe(1);
  });
});
