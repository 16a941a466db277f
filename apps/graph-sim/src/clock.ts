/**
 * The simulator's notion of time. `now()` is real time plus an offset that tests move forward, so a
 * 24-hour window, a 72-hour register limit or an expiring media URL can lapse inside a fast test.
 * Every delayed effect (statuses, template review, webhook retries) is scheduled through this clock, so
 * advancing it fires what became due immediately instead of waiting on real timers.
 */
export class SimClock {
  private offsetMs = 0;
  private readonly heap: Timer[] = [];
  private armed: { due: number; handle: NodeJS.Timeout } | undefined;
  private seq = 0;
  private closed = false;
  /** Real time at which the clock was frozen; while set, simulated time moves only by `advance`. */
  private frozenAt: number | undefined;

  now(): number {
    return (this.frozenAt ?? Date.now()) + this.offsetMs;
  }

  get frozen(): boolean {
    return this.frozenAt !== undefined;
  }

  /** Stops (or restarts) simulated time following real time, for tests that count within one instant. */
  freeze(on: boolean): void {
    if (on && this.frozenAt === undefined) this.frozenAt = Date.now();
    if (!on && this.frozenAt !== undefined) {
      // Resume from the frozen instant rather than jumping over the time spent frozen.
      this.offsetMs -= Date.now() - this.frozenAt;
      this.frozenAt = undefined;
      this.runDue();
    }
  }

  /** Unix seconds as Meta writes them in webhooks: a string. */
  unixSeconds(at = this.now()): string {
    return String(Math.floor(at / 1000));
  }

  get offset(): number {
    return this.offsetMs;
  }

  /** Runs `fn` after `delayMs` of simulated time (real time passing counts too). */
  schedule(delayMs: number, fn: () => void): void {
    if (this.closed) return;
    const timer: Timer = { due: this.now() + Math.max(0, delayMs), seq: this.seq++, fn };
    push(this.heap, timer);
    this.arm();
  }

  advance(ms: number): void {
    if (ms < 0) throw new RangeError('the clock only moves forward');
    this.offsetMs += ms;
    this.runDue();
  }

  /** Drops every pending timer (reset) without running them. */
  clear(): void {
    this.heap.length = 0;
    this.disarm();
    this.freeze(false);
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  get pending(): number {
    return this.heap.length;
  }

  private runDue(): void {
    this.disarm();
    // Timers scheduled by a running timer with zero delay run in this same pass, in order.
    for (;;) {
      const top = this.heap[0];
      if (!top || top.due > this.now()) break;
      pop(this.heap);
      try {
        top.fn();
      } catch (error) {
        // A failing effect must not stop the others; surface it without crashing the process.
        process.emitWarning(`graph-sim timer failed: ${String(error)}`);
      }
    }
    this.arm();
  }

  // One real timer for the earliest due item keeps the cost flat however many effects are pending.
  private arm(): void {
    const top = this.heap[0];
    if (!top || this.closed || this.frozenAt !== undefined) return;
    if (this.armed && this.armed.due <= top.due) return;
    this.disarm();
    const wait = Math.max(0, top.due - this.now());
    const handle = setTimeout(() => this.runDue(), Math.min(wait, 2_147_000_000));
    handle.unref();
    this.armed = { due: top.due, handle };
  }

  private disarm(): void {
    if (this.armed) clearTimeout(this.armed.handle);
    this.armed = undefined;
  }
}

interface Timer {
  due: number;
  seq: number;
  fn: () => void;
}

function before(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

function push(heap: Timer[], item: Timer): void {
  heap.push(item);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) break;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function pop(heap: Timer[]): Timer | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0 && last) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  }
  return top;
}
