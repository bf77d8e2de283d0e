/** The kit's deadline: a signal for one piece of work that lets go of the caller's signal and its timer afterwards. */
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deadline } from '../providers/kit/index.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('deadline', () => {
  it('aborts when the time runs out, and says it expired', () => {
    vi.useFakeTimers();
    const limit = deadline(300);
    vi.advanceTimersByTime(299);
    expect(limit.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect([limit.signal.aborted, limit.expired]).toEqual([true, true]);
    expect((limit.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it("follows the caller's signal, which is not an expiry", () => {
    const outer = new AbortController();
    const limit = deadline(10_000, outer.signal);
    outer.abort(new Error('stopping'));
    expect([limit.signal.aborted, limit.expired]).toEqual([true, false]);
    expect((limit.signal.reason as Error).message).toBe('stopping');
    limit.dispose();
    expect(deadline(10_000, outer.signal).signal.aborted).toBe(true);
  });

  it("once disposed, holds no listener on the caller's signal and no timer", () => {
    vi.useFakeTimers();
    const outer = new AbortController();
    const limits = Array.from({ length: 50 }, () => deadline(1000, outer.signal));
    expect(getEventListeners(outer.signal, 'abort')).toHaveLength(50);
    expect(vi.getTimerCount()).toBe(50);
    for (const limit of limits) limit.dispose();
    expect(getEventListeners(outer.signal, 'abort')).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(limits.some((l) => l.signal.aborted)).toBe(false);
  });

  it('cancel aborts now without counting as expired, and needs no time limit', () => {
    const outer = new AbortController();
    const done = deadline(undefined, outer.signal);
    done.cancel();
    expect([done.signal.aborted, done.expired]).toEqual([true, false]);
    expect(getEventListeners(outer.signal, 'abort')).toHaveLength(0);
  });
});
