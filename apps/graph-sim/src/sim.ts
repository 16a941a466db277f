import { SimClock } from './clock.js';
import { buildConfig, patchConfig, type SimConfig, type SimConfigInput } from './config.js';
import { Faults } from './faults.js';
import { Limits } from './limits.js';
import type { PhoneNumber } from './state/entities.js';
import { World } from './state/world.js';
import { Deliverer } from './webhooks/deliverer.js';
import type { Update } from './webhooks/payload.js';

/**
 * The simulator's state and services in one object: the world, its clock, configuration, limits,
 * faults and the webhook deliverer. Routes (Graph and control) receive it; nothing else is global.
 */
export class GraphSimulator {
  readonly world = new World();
  readonly clock = new SimClock();
  readonly faults = new Faults();
  readonly limits: Limits;
  readonly deliverer: Deliverer;
  private current: SimConfig;
  private readonly initial: SimConfig;
  private rngState: number;

  constructor(config: SimConfigInput = {}) {
    this.initial = buildConfig(config);
    this.current = this.initial;
    this.rngState = this.initial.seed;
    this.limits = new Limits(() => this.current);
    this.deliverer = new Deliverer(
      this.world,
      this.clock,
      () => this.current,
      this.faults,
      () => this.random(),
    );
  }

  get config(): SimConfig {
    return this.current;
  }

  patchConfig(patch: unknown): SimConfig {
    this.current = patchConfig(this.current, patch);
    return this.current;
  }

  /** Forgets everything: world, pending effects, faults, limits, config and the clock offset stays. */
  reset(options: { keepConfig?: boolean } = {}): void {
    this.world.reset();
    this.clock.clear();
    this.faults.reset();
    this.limits.reset();
    this.deliverer.reset();
    if (!options.keepConfig) this.current = this.initial;
    this.rngState = this.current.seed;
  }

  close(): void {
    this.clock.close();
    this.deliverer.close();
  }

  /** mulberry32: deterministic per seed, so a scenario with random faults replays identically. */
  random(): number {
    this.rngState = (this.rngState + 0x6d2b79f5) | 0;
    let t = this.rngState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  emit(update: Update): void {
    this.deliverer.enqueue(update);
  }

  numberRef(number: PhoneNumber): { id: string; digits: string } {
    return { id: number.id, digits: number.digits };
  }

  inWindow(numberId: string, waId: string, at = this.clock.now()): boolean {
    const last = this.world.lastInbound.get(`${numberId}:${waId}`);
    return last !== undefined && at - last < this.current.windowMs;
  }

  inFreeEntryPoint(numberId: string, waId: string, at = this.clock.now()): boolean {
    const last = this.world.lastReferral.get(`${numberId}:${waId}`);
    return last !== undefined && at - last < this.current.freeEntryPointWindowMs;
  }
}
