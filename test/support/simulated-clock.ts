import type { Clock } from '../../lib/private/existing-repository/handler/statement-sync';

/**
 * Simulated time for racing tasks: `sleep` only returns when `run` moves the clock to that moment, and the clock
 * moves to the next wake-up only once every task is waiting. The interleavings are those of the latencies given,
 * and repeatable.
 */
export class SimulatedClock implements Clock {
  private time = 0;
  private sequence = 0;
  private readonly timers: Array<{ at: number; sequence: number; wake: () => void }> = [];

  public now(): number {
    return this.time;
  }

  public sleep(ms: number): Promise<void> {
    return new Promise(wake => this.timers.push({ at: this.time + Math.max(0, ms), sequence: this.sequence++, wake }));
  }

  /** Runs the tasks to their end and returns how each ended. */
  public async run<T>(tasks: Array<() => Promise<T>>): Promise<Array<PromiseSettledResult<T>>> {
    let settled = false;
    const all = Promise.allSettled(tasks.map(task => task())).then(results => {
      settled = true;
      return results;
    });
    for (let idle = 0; !settled;) {
      await new Promise(resolve => setImmediate(resolve));
      if (settled) {
        break;
      }
      if (this.timers.length === 0) {
        if (++idle > 100) {
          throw new Error('the simulated tasks wait on something other than the clock');
        }
        continue;
      }
      idle = 0;
      this.timers.sort((a, b) => a.at - b.at || a.sequence - b.sequence);
      const next = this.timers.shift()!;
      this.time = next.at;
      next.wake();
    }
    return all;
  }
}
