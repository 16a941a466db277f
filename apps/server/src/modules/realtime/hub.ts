import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import type { Platform } from '../../platform/context.js';
import type { Unsubscribe } from '../../platform/events/event-bus.js';
import { mayReadConversation } from '../conversations/conversations.service.js';
import type { Outgoing, SseConnection } from './connection.js';
import { type EventLog, memoryEventLog, redisEventLog, type Sequenced } from './event-log.js';
import type { StreamEvent } from './realtime.schemas.js';
import { sources } from './sources.js';
import { VisibilityCache } from './visibility.js';

/**
 * The realtime fan-out of one server process: it subscribes once to the bus topics of `sources`,
 * numbers each event in the workspace's log, and hands it to this process's connections that may see
 * it. Events are delivered in the order the bus delivered them (the same order on every process, so
 * ids only grow), while their lookups (id, assignee) run ahead concurrently.
 */
export class RealtimeHub {
  private readonly log: EventLog;
  private readonly visibility: VisibilityCache;
  private readonly connections = new Map<string, Set<SseConnection>>();
  /** The last number seen per workspace: a jump means this process missed events on the bus. */
  private readonly lastSeq = new Map<string, number>();
  private tail: Promise<void> = Promise.resolve();
  private unsubscribes: Unsubscribe[] = [];
  private detachRedis: (() => void) | undefined;
  /** The event log's own Redis connection (scale mode). */
  private readonly logConnection: Redis | undefined;

  constructor(
    private readonly platform: Platform,
    /** Events kept per workspace for replay (defaults per mode in event-log.ts). */
    historySize?: number,
  ) {
    this.logConnection = platform.redis?.duplicate();
    // A duplicate does not inherit listeners: unheard, ioredis prints every failed reconnect.
    this.logConnection?.on('error', (error) =>
      platform.logger.debug({ err: error }, 'realtime event log connection error'),
    );
    this.log = this.logConnection
      ? redisEventLog(this.logConnection, platform.config.redis.keyPrefix, historySize)
      : memoryEventLog(historySize);
    this.visibility = new VisibilityCache(platform.db, (error) =>
      platform.logger.warn({ err: error }, 'realtime visibility lookup failed'),
    );
    const connections = this.connections;
    new Gauge({
      name: 'realtime_connections',
      help: 'Open realtime streams of this server process',
      registers: [platform.metrics.registry],
      collect() {
        let count = 0;
        for (const set of connections.values()) count += set.size;
        this.set(count);
      },
    });
  }

  async start(): Promise<void> {
    for (const source of sources) {
      this.unsubscribes.push(
        await source.attach(this.platform.events, (event, identity) => this.receive(event, identity)),
      );
    }
    this.watchRedis();
  }

  async stop(): Promise<void> {
    this.detachRedis?.();
    await Promise.all(this.unsubscribes.map((unsubscribe) => unsubscribe()));
    this.unsubscribes = [];
    for (const set of this.connections.values()) for (const connection of set) connection.close();
    this.connections.clear();
    this.logConnection?.disconnect();
  }

  /**
   * Registers a new connection and brings it up to date: what it missed after `cursor` (or `resync`
   * when that cannot be proven complete), or just a cursor for a first connection; then live events.
   */
  async attach(connection: SseConnection, cursor: string | undefined): Promise<void> {
    this.add(connection); // first: live events are held from now on, so none falls between
    const workspaceId = connection.workspaceId;
    if (!cursor) connection.startAt(await this.log.head(workspaceId));
    else {
      const missed = await this.log.since(workspaceId, cursor);
      if (missed) connection.replay(await this.visibleTo(connection, missed.events), missed.head);
      else connection.startOver(await this.log.head(workspaceId));
    }
    connection.goLive();
  }

  private add(connection: SseConnection): void {
    let set = this.connections.get(connection.workspaceId);
    if (!set) {
      set = new Set();
      this.connections.set(connection.workspaceId, set);
    }
    set.add(connection);
  }

  remove(connection: SseConnection): void {
    const set = this.connections.get(connection.workspaceId);
    set?.delete(connection);
    if (set?.size === 0) this.connections.delete(connection.workspaceId);
  }

  /** Of these logged events, those the connection may see (one batched lookup for the assignees). */
  private async visibleTo(connection: SseConnection, entries: Sequenced[]): Promise<Outgoing[]> {
    const ids = entries.flatMap((entry) =>
      entry.event.conversationId && entry.event.assigneeId === undefined ? [entry.event.conversationId] : [],
    );
    const [assignees, settings] = await Promise.all([
      this.visibility.assigneesOf(connection.workspaceId, ids),
      this.visibility.settingsOf(connection.workspaceId),
    ]);
    return entries
      .filter(({ event }) => {
        if (!event.conversationId) return true;
        const assignee =
          event.assigneeId !== undefined ? event.assigneeId : assignees.get(event.conversationId);
        return assignee !== undefined && mayReadConversation(connection.access, settings, assignee);
      })
      .map(({ id, seq, event }) => ({ id, seq, type: event.type, data: event.data }));
  }

  private receive(event: StreamEvent, identity: string | null): void {
    const numbered =
      identity === null
        ? Promise.resolve(undefined)
        : this.log.append(event, identity).catch((error) => {
            this.platform.logger.warn({ err: error, type: event.type }, 'realtime event not numbered');
            return undefined;
          });
    // Captured now: an assignment event changes the cache, and its previous assignee should hear of it.
    const previousAssignee =
      event.conversationId && event.assigneeId !== undefined
        ? this.visibility.peek(event.workspaceId, event.conversationId)
        : undefined;
    if (event.conversationId && event.assigneeId !== undefined) {
      this.visibility.remember(event.workspaceId, event.conversationId, event.assigneeId);
    }
    const assignee = this.needsAssignee(event)
      ? this.visibility.assigneeOf(event.workspaceId, event.conversationId as string)
      : undefined;
    this.tail = this.tail
      .then(async () => this.deliver(event, await numbered, assignee, previousAssignee))
      .catch((error) => this.platform.logger.error({ err: error }, 'realtime delivery failed'));
  }

  /** A lookup is needed only when a local connection reads less than every conversation. */
  private needsAssignee(event: StreamEvent): boolean {
    if (!event.conversationId || event.assigneeId !== undefined) return false;
    for (const connection of this.connections.get(event.workspaceId) ?? []) {
      if (!connection.access.can('conversations.read.all')) return true;
    }
    return false;
  }

  private async deliver(
    event: StreamEvent,
    entry: Sequenced | undefined,
    prefetched: Promise<string | null | undefined> | undefined,
    previousAssignee: string | null | undefined,
  ): Promise<void> {
    const local = this.connections.get(event.workspaceId);
    if (entry) {
      const last = this.lastSeq.get(event.workspaceId);
      this.lastSeq.set(event.workspaceId, Math.max(last ?? 0, entry.seq));
      // Numbers jumped: this process's subscription lost events (they are in the log, not here).
      if (last !== undefined && entry.seq > last + 1)
        for (const connection of local ?? []) connection.resync();
    }
    if (!local) return;
    const outgoing: Outgoing = { id: entry?.id, seq: entry?.seq, type: event.type, data: event.data };
    let assignee: string | null | undefined = event.assigneeId;
    let settings: { agentsSeeUnassigned: boolean } | undefined;
    for (const connection of local) {
      if (connection.userId === event.exceptUserId) continue;
      if (event.conversationId && !connection.access.can('conversations.read.all')) {
        if (assignee === undefined) {
          assignee = await (prefetched ??
            this.visibility.assigneeOf(event.workspaceId, event.conversationId));
        }
        settings ??= await this.visibility.settingsOf(event.workspaceId);
        const allowed =
          (assignee !== undefined && mayReadConversation(connection.access, settings, assignee)) ||
          (previousAssignee !== undefined &&
            mayReadConversation(connection.access, settings, previousAssignee));
        if (!allowed) continue;
      }
      connection.push(outgoing);
    }
  }

  /** After a Redis outage the bus may have lost anything: every client re-reads. */
  private watchRedis(): void {
    const redis = this.platform.redis;
    if (!redis) return;
    let lost = false;
    const onClose = () => {
      lost = true;
    };
    const onReady = () => {
      if (!lost) return;
      lost = false;
      for (const set of this.connections.values()) for (const connection of set) connection.resync();
    };
    redis.on('close', onClose);
    redis.on('ready', onReady);
    this.detachRedis = () => {
      redis.off('close', onClose);
      redis.off('ready', onReady);
    };
  }
}
