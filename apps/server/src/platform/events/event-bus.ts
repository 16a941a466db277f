import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import { tickBatched } from '../redis.js';

/**
 * Event bus for realtime fan-out: in-process in embedded mode, Redis pub/sub in scale mode so an event
 * raised by any worker reaches subscribers on every server. Delivery is best effort: subscribers that
 * must not miss anything re-read PostgreSQL (pub/sub may drop, the database does not).
 */
export interface Topic<T> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
}

export function defineTopic<TSchema extends z.ZodType>(
  name: string,
  schema: TSchema,
): Topic<z.output<TSchema>> {
  return { name, schema: schema as z.ZodType<z.output<TSchema>> };
}

export type Unsubscribe = () => Promise<void>;

export interface EventBus {
  readonly kind: 'memory' | 'redis';
  publish<T>(topic: Topic<T>, event: T): Promise<void>;
  subscribe<T>(topic: Topic<T>, handler: (event: T) => void): Promise<Unsubscribe>;
  close(): Promise<void>;
}

export function memoryEventBus(logger: Logger): EventBus {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    kind: 'memory',
    async publish(topic, event) {
      const parsed = topic.schema.parse(event);
      // Deliver asynchronously, as Redis would: a publisher never runs subscriber code inline.
      queueMicrotask(() => emitter.emit(topic.name, parsed));
    },
    async subscribe(topic, handler) {
      const listener = (event: unknown) => safeCall(logger, topic.name, () => handler(event as never));
      emitter.on(topic.name, listener);
      return async () => {
        emitter.off(topic.name, listener);
      };
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

export function redisEventBus(connection: Redis, keyPrefix: string, logger: Logger): EventBus {
  // Its own connections: the subscriber blocks, and the publisher's commands of one tick (a worker's
  // batch) go out in one pipeline.
  const publisher = connection.duplicate();
  const send = tickBatched(publisher);
  const subscriber = connection.duplicate();
  const handlers = new Map<string, Set<(raw: string) => void>>();
  const channel = (topic: string) => `${keyPrefix}:events:${topic}`;
  subscriber.on('message', (name: string, raw: string) => {
    for (const handler of handlers.get(name) ?? []) handler(raw);
  });
  subscriber.on('error', (error) => logger.warn({ err: error }, 'event bus subscriber error'));
  publisher.on('error', (error) => logger.debug({ err: error }, 'event bus publisher error'));

  return {
    kind: 'redis',
    async publish(topic, event) {
      const parsed = topic.schema.parse(event);
      const name = channel(topic.name);
      const message = JSON.stringify(parsed);
      await send((redis) => redis.publish(name, message));
    },
    async subscribe(topic, handler) {
      const name = channel(topic.name);
      let set = handlers.get(name);
      if (!set) {
        set = new Set();
        handlers.set(name, set);
        await subscriber.subscribe(name);
      }
      const listener = (raw: string) =>
        safeCall(logger, topic.name, () => {
          const parsed = topic.schema.safeParse(JSON.parse(raw));
          if (!parsed.success) {
            logger.warn({ topic: topic.name }, 'dropped an event that does not match its topic schema');
            return;
          }
          handler(parsed.data);
        });
      set.add(listener);
      return async () => {
        set.delete(listener);
        if (set.size === 0) {
          handlers.delete(name);
          await subscriber.unsubscribe(name);
        }
      };
    },
    async close() {
      handlers.clear();
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}

function safeCall(logger: Logger, topic: string, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    logger.error({ err: error, topic }, 'event subscriber threw');
  }
}
