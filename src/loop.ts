/**
 * Scheduling: a cycle at start, then one `interval` after each cycle ends.
 * `runNow` starts a cycle at once, or joins the one in flight, so two
 * cycles never overlap; a forced run asked while an unforced cycle is in
 * flight runs right after it. `stop` aborts in-flight work and waits for it.
 */
import type { Clock } from './base/clock.js';
import type { CycleReport } from './cycle/index.js';
import type { Logger } from './base/log.js';

export interface LoopOptions {
  intervalMs: number;
  clock: Clock;
  log: Logger;
  /**
   * One cycle. `force`: also send hosts paused after a transient failure or an unreadable answer ("Update now").
   * It calls `ended` when its result is known, before anyone is told, so `nextCheck` is never empty after a cycle.
   */
  run(id: number, signal: AbortSignal, force: boolean, ended: () => void): Promise<CycleReport>;
}

export interface RunningCycle {
  id: number;
  done: Promise<CycleReport>;
  force: boolean;
  /** True when this request joined a cycle that was already asked for. */
  joined: boolean;
}

export interface Loop {
  start(): void;
  /** Stops scheduling, aborts in-flight requests and waits up to `graceMs` for the cycle to end. */
  stop(graceMs: number): Promise<void>;
  runNow(options?: { force?: boolean }): RunningCycle;
  nextCheck(): number | undefined;
}

export function createLoop(options: LoopOptions): Loop {
  const { clock, log } = options;
  const stopping = new AbortController();
  let current: RunningCycle | undefined;
  /** A forced cycle asked for while an unforced one runs: it starts when that one ends. */
  let queued: RunningCycle | undefined;
  let counter = 0;
  let next: number | undefined;
  let main: Promise<void> | undefined;
  // The scheduled loop waits on the cycle in flight: its end sets the next time.
  let scheduling = false;
  const ended = (): void => {
    if (scheduling) next = clock.now() + options.intervalMs;
  };

  const begin = (id: number, force: boolean): RunningCycle => {
    const done = options.run(id, stopping.signal, force, ended).finally(() => {
      if (current?.id === id) current = undefined;
    });
    current = { id, done, force, joined: false };
    return current;
  };

  const runNow = ({ force = false } = {}): RunningCycle => {
    if (queued && force) return { ...queued, joined: true };
    if (!current) return begin(++counter, force);
    if (current.force || !force) return { ...current, joined: true };
    const id = ++counter;
    const after = current.done
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        if (stopping.signal.aborted) throw stopping.signal.reason;
        return (current ?? begin(id, true)).done;
      });
    queued = { id, done: after, force: true, joined: false };
    return queued;
  };

  const forever = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      next = undefined;
      scheduling = true;
      try {
        await runNow().done;
      } catch (error) {
        log.error(`The cycle failed unexpectedly: ${(error as Error).message}`);
      } finally {
        scheduling = false;
      }
      if (stopping.signal.aborted) break;
      // Set by `ended` before the cycle's result was told; a cycle that failed before its end sets it now.
      next ??= clock.now() + options.intervalMs;
      try {
        await clock.sleep(Math.max(0, next - clock.now()), stopping.signal);
      } catch {
        break;
      }
    }
    next = undefined;
  };

  return {
    start() {
      main ??= forever();
    },
    async stop(graceMs) {
      stopping.abort(new Error('ddnsd is stopping'));
      const inFlight = [main, current?.done].filter((p) => p !== undefined);
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
        timer.unref();
      });
      await Promise.race([Promise.allSettled(inFlight), grace]);
      clearTimeout(timer);
    },
    runNow,
    nextCheck: () => next,
  };
}
