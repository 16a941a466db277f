import type { ServerResponse } from 'node:http';
import type { WorkspaceAccess } from '../../platform/http/auth.js';
import type { StreamEventType } from './realtime.schemas.js';

/** One frame for a client; `id` and `seq` are absent for events that are not kept for replay. */
export interface Outgoing {
  id?: string;
  seq?: number;
  type: StreamEventType;
  data: Record<string, unknown>;
}

export interface ConnectionLimits {
  /** Bytes the socket may hold unsent before the client is considered too slow. */
  maxBufferedBytes: number;
  /** Events held while the connection replays what it missed. */
  maxHeldEvents: number;
  /** A client that reads nothing for this long is disconnected. */
  maxLagMs: number;
}

/**
 * One client's Server-Sent Events stream. It starts holding live events while the missed ones are
 * replayed, then streams. Memory per client is bounded: a client that does not read (its socket
 * buffer is full) stops getting events; when it catches up it gets `resync` and streams again.
 */
export class SseConnection {
  private state: 'replaying' | 'live' | 'lagging' | 'closed' = 'replaying';
  private held: Outgoing[] = [];
  private heldOverflow = false;
  /** The newest id this client was offered, sent or not: where a resync places its cursor. */
  private latestId: string | undefined;
  /** Events numbered up to here were part of the replay; their live copies are skipped. */
  private replayedUpTo = 0;
  private laggingSince = 0;

  constructor(
    private readonly raw: ServerResponse,
    readonly workspaceId: string,
    readonly userId: string,
    readonly access: Pick<WorkspaceAccess, 'principal' | 'can' | 'role'>,
    private readonly limits: ConnectionLimits,
  ) {
    raw.on('drain', () => {
      if (this.state !== 'lagging') return;
      this.state = 'live';
      this.resync();
    });
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Is the client reading? False while its socket holds more than the limit. */
  get lagging(): boolean {
    return this.state === 'lagging';
  }

  /** A live event, in the order the process received it. */
  push(event: Outgoing): void {
    if (event.id) this.latestId = event.id;
    switch (this.state) {
      case 'replaying':
        if (this.held.length < this.limits.maxHeldEvents) this.held.push(event);
        else this.heldOverflow = true;
        return;
      case 'live':
        this.send(event);
        return;
      case 'lagging':
      case 'closed':
        return;
      default:
        throw new Error(`unhandled ${this.state satisfies never}`);
    }
  }

  /** Events the client missed, straight from the log (called while replaying). */
  replay(events: readonly Outgoing[], upTo: number): void {
    for (const event of events) {
      if (event.id) this.latestId = event.id;
      this.send(event);
    }
    this.replayedUpTo = upTo;
  }

  /** The client's cursor is unknown or too old: it re-fetches, and continues from `cursor`. */
  startOver(cursor: { id: string; seq: number }): void {
    this.latestId ??= cursor.id;
    // Nothing was replayed: every live event held meanwhile follows the resync, even one the log
    // had numbered before `cursor` was read (its copy from the REST re-read is the same event).
    this.replayedUpTo = 0;
    this.resync();
  }

  /** A new client: no event to replay, only the cursor to resume from later. */
  startAt(cursor: { id: string; seq: number }): void {
    this.latestId ??= cursor.id;
    this.replayedUpTo = cursor.seq;
    // A frame with only an id moves the client's Last-Event-ID without raising an event.
    this.write(`id: ${cursor.id}\n\n`);
  }

  /** Ends the replay: the live events held meanwhile follow, minus those the replay already sent. */
  goLive(): void {
    if (this.state !== 'replaying') {
      this.held = []; // lagging already: a resync follows the drain
      return;
    }
    const held = this.held;
    this.held = [];
    this.state = 'live';
    if (this.heldOverflow) {
      this.resync();
      return;
    }
    for (const event of held) {
      if (event.seq === undefined || event.seq > this.replayedUpTo) this.send(event);
    }
  }

  /** Tells the client it may have missed events; it re-reads what it shows from the REST API. */
  resync(): void {
    if (this.state === 'closed') return;
    const id = this.latestId ? `id: ${this.latestId}\n` : '';
    this.write(`${id}event: resync\ndata: {}\n\n`);
  }

  ping(): void {
    if (this.state === 'lagging' && Date.now() - this.laggingSince > this.limits.maxLagMs) {
      this.markClosed();
      this.raw.destroy();
      return;
    }
    if (this.state === 'live' || this.state === 'replaying') this.write(': ping\n\n');
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.held = [];
    this.raw.end();
  }

  /** The socket went away (the client left, or the server destroyed it). */
  markClosed(): void {
    this.state = 'closed';
    this.held = [];
  }

  private send(event: Outgoing): void {
    const id = event.id ? `id: ${event.id}\n` : '';
    this.write(`${id}event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
  }

  private write(frame: string): void {
    if (this.state === 'closed' || this.raw.destroyed) return;
    this.raw.write(frame);
    if (this.raw.writableLength > this.limits.maxBufferedBytes) {
      this.state = 'lagging';
      this.laggingSince = Date.now();
    }
  }
}
