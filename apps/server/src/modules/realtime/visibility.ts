import type { Database } from '../../platform/db/client.js';
import { conversationAssignees, getInboxSettings } from '../conversations/conversations.service.js';

/**
 * What the realtime channel needs to filter events by the inbox's visibility rule: each conversation's
 * assignee and each workspace's inbox settings. Lookups of one moment are gathered into one query per
 * workspace, and answers are cached briefly; assignment events refresh the cache as they pass, so the
 * cache is stale only when such an event was lost, and then for at most CACHE_MS.
 */
const CACHE_MS = 10_000;
const CACHE_ENTRIES = 100_000;

type Assignee = string | null | undefined; // undefined: no such conversation in the workspace

export class VisibilityCache {
  private readonly assignees = new Map<string, { value: Assignee; at: number }>();
  private readonly settings = new Map<
    string,
    { value: Promise<{ agentsSeeUnassigned: boolean }>; at: number }
  >();
  private readonly waiting = new Map<string, Map<string, ((value: Assignee) => void)[]>>();
  private flushScheduled = false;

  constructor(
    private readonly db: Database,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** The last assignee this process knew, however old, without a lookup (undefined when unknown). */
  peek(workspaceId: string, conversationId: string): Assignee {
    return this.assignees.get(`${workspaceId}/${conversationId}`)?.value;
  }

  remember(workspaceId: string, conversationId: string, assigneeId: string | null): void {
    const key = `${workspaceId}/${conversationId}`;
    this.assignees.delete(key); // re-inserted last: the map's order is the eviction order
    this.assignees.set(key, { value: assigneeId, at: Date.now() });
    if (this.assignees.size > CACHE_ENTRIES) {
      const oldest = this.assignees.keys().next().value;
      if (oldest !== undefined) this.assignees.delete(oldest);
    }
  }

  assigneeOf(workspaceId: string, conversationId: string): Promise<Assignee> {
    const hit = this.assignees.get(`${workspaceId}/${conversationId}`);
    if (hit && Date.now() - hit.at < CACHE_MS) return Promise.resolve(hit.value);
    return new Promise((resolve) => {
      let ids = this.waiting.get(workspaceId);
      if (!ids) {
        ids = new Map();
        this.waiting.set(workspaceId, ids);
      }
      const callbacks = ids.get(conversationId);
      if (callbacks) callbacks.push(resolve);
      else ids.set(conversationId, [resolve]);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  async assigneesOf(workspaceId: string, conversationIds: Iterable<string>): Promise<Map<string, Assignee>> {
    const ids = [...new Set(conversationIds)];
    const values = await Promise.all(ids.map((id) => this.assigneeOf(workspaceId, id)));
    return new Map(ids.map((id, i) => [id, values[i]]));
  }

  settingsOf(workspaceId: string): Promise<{ agentsSeeUnassigned: boolean }> {
    const hit = this.settings.get(workspaceId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const value = getInboxSettings(this.db, workspaceId).catch((error) => {
      this.settings.delete(workspaceId);
      this.onError(error);
      return { agentsSeeUnassigned: false };
    });
    this.settings.set(workspaceId, { value, at: Date.now() });
    return value;
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batches = [...this.waiting];
    this.waiting.clear();
    await Promise.all(
      batches.map(async ([workspaceId, ids]) => {
        let found = new Map<string, string | null>();
        try {
          found = await conversationAssignees(this.db, workspaceId, [...ids.keys()]);
        } catch (error) {
          // Unknown assignee: only members who read every conversation get these events.
          this.onError(error);
        }
        for (const [conversationId, callbacks] of ids) {
          const value = found.has(conversationId) ? found.get(conversationId) : undefined;
          if (value !== undefined) this.remember(workspaceId, conversationId, value);
          for (const callback of callbacks) callback(value);
        }
      }),
    );
  }
}
