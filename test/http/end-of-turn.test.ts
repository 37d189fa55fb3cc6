import { describe, expect, it } from 'vitest';
import { endOfTurn } from '../../src/http/end-of-turn.js';

const nextImmediate = () => new Promise<void>((done) => setImmediate(done));

describe('endOfTurn', () => {
  it('gives every caller of one turn the same moment, in that turn’s check phase', async () => {
    const order: string[] = [];
    const a = endOfTurn().then(() => order.push('a'));
    const b = endOfTurn().then(() => order.push('b'));
    expect(endOfTurn()).toBe(endOfTurn());
    await Promise.resolve();
    expect(order).toEqual([]);
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
  });

  it('releases before the callbacks queued after it in the same check phase', async () => {
    const order: string[] = [];
    const released = endOfTurn().then(() => order.push('released'));
    // A callback queued after the first caller still runs in the same check phase, after it.
    setImmediate(() => order.push('same check phase'));
    await released;
    await nextImmediate();
    expect(order.indexOf('released')).toBeLessThan(order.indexOf('same check phase'));
  });

  it('starts afresh in the next turn', async () => {
    const first = endOfTurn();
    await first;
    const second = endOfTurn();
    expect(second).not.toBe(first);
    await second;
  });
});
