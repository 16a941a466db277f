import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useWorkspace } from '../app/workspace';
import { EmptyState, ErrorState, Spinner } from '../ui/states';
import { contactName, initials, shortWhen } from './format';
import { PresenceBar, PresenceDot } from './Presence';
import { useConversationList, useCounts, useLabels } from './queries';
import { SearchResults } from './Search';
import type { ConversationSummary, InboxFilters } from './types';

const ASSIGNEES = [
  { value: 'me', label: 'Mine', count: 'mine' },
  { value: 'unassigned', label: 'Unassigned', count: 'unassigned' },
  { value: 'anyone', label: 'All', count: 'all' },
] as const;

const SEARCH_DEBOUNCE_MS = 300;

/** What was typed in the search box, once typing pauses. */
function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** The left pane: who is waiting, with filters and search; j/k or arrows move, Enter opens. */
export function ConversationList({
  filters,
  onFilters,
  selectedId,
  onOpen,
  poll,
}: {
  filters: InboxFilters;
  onFilters: (next: InboxFilters) => void;
  selectedId: string | undefined;
  onOpen: (id: string) => void;
  poll: number | false;
}) {
  const { id: ws } = useWorkspace();
  const list = useConversationList(ws, filters, poll);
  const counts = useCounts(ws);
  const labels = useLabels(ws);
  const items: ConversationSummary[] = list.data?.pages.flatMap((p) => p.items) ?? [];
  const listRef = useRef<HTMLUListElement>(null);
  const [query, setQuery] = useState('');
  const term = useDebounced(query.trim(), SEARCH_DEBOUNCE_MS);
  const searching = query.trim() !== '' && term !== '';

  function move(event: KeyboardEvent<HTMLUListElement>) {
    const keys: Record<string, number> = { j: 1, ArrowDown: 1, k: -1, ArrowUp: -1 };
    const rows = [...(listRef.current?.querySelectorAll<HTMLElement>('[data-row]') ?? [])];
    const at = rows.indexOf(document.activeElement as HTMLElement);
    if (event.key in keys) {
      event.preventDefault();
      const next = rows[Math.min(rows.length - 1, Math.max(0, at + (keys[event.key] as number)))];
      next?.focus();
    } else if (event.key === 'Enter' && at >= 0) {
      event.preventDefault();
      const id = rows[at]?.dataset.row;
      if (id) onOpen(id);
    }
  }

  return (
    <section className="inbox-list" aria-label="Conversations">
      <div className="inbox-list-head">
        <PresenceBar />
        <input
          type="search"
          className="inbox-search"
          aria-label="Search the inbox"
          placeholder="Search messages and contacts"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setQuery('');
          }}
        />
        <fieldset className="segmented">
          <legend className="sr-only">Assignee</legend>
          {ASSIGNEES.map((a) => {
            const n = counts.data?.[a.count];
            return (
              <button
                key={a.value}
                type="button"
                aria-pressed={filters.assignee === a.value}
                onClick={() => onFilters({ ...filters, assignee: a.value })}
              >
                {a.label}
                {n && n.unread > 0 && (
                  <span className="count" title={`${n.unread} with unread messages`}>
                    {n.unread}
                  </span>
                )}
              </button>
            );
          })}
        </fieldset>
        <div className="inbox-filters">
          <select
            aria-label="Filter by status"
            value={filters.status ?? ''}
            onChange={(e) =>
              onFilters({ ...filters, status: (e.target.value || undefined) as InboxFilters['status'] })
            }
          >
            <option value="">Any status</option>
            <option value="open">Open</option>
            <option value="pending">Pending</option>
            <option value="snoozed">Snoozed</option>
            <option value="resolved">Resolved</option>
          </select>
          <select
            aria-label="Filter by window"
            value={filters.window ?? ''}
            onChange={(e) =>
              onFilters({ ...filters, window: (e.target.value || undefined) as InboxFilters['window'] })
            }
          >
            <option value="">Any window</option>
            <option value="open">Window open</option>
            <option value="closed">Window closed</option>
          </select>
          {(labels.data?.items.length ?? 0) > 0 && (
            <select
              aria-label="Filter by label"
              value={filters.label ?? ''}
              onChange={(e) => onFilters({ ...filters, label: e.target.value || undefined })}
            >
              <option value="">Any label</option>
              {labels.data?.items.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.name}
                </option>
              ))}
            </select>
          )}
          <select
            aria-label="Sort"
            value={filters.sort ?? ''}
            onChange={(e) =>
              onFilters({ ...filters, sort: (e.target.value || undefined) as InboxFilters['sort'] })
            }
          >
            <option value="">Newest activity</option>
            <option value="waiting_longest">Waiting longest</option>
          </select>
          <label className="check">
            <input
              type="checkbox"
              checked={filters.unread ?? false}
              onChange={(e) => onFilters({ ...filters, unread: e.target.checked || undefined })}
            />
            Unread
          </label>
        </div>
      </div>
      {searching ? (
        <SearchResults term={term} onOpen={onOpen} />
      ) : (
        <>
          {list.isPending && <Spinner label="Loading conversations…" />}
          {list.isError && <ErrorState error={list.error} onRetry={() => list.refetch()} />}
          {list.isSuccess && items.length === 0 && (
            <EmptyState title="No conversations here">
              {filters.sort === 'waiting_longest'
                ? 'Nobody is waiting for a reply.'
                : 'When a customer writes to one of your WhatsApp numbers, the conversation shows up here.'}
            </EmptyState>
          )}
          {items.length > 0 && (
            <ul className="conv-list" ref={listRef} onKeyDown={move}>
              {items.map((c) => (
                <li key={c.id}>
                  <button
                    type="button"
                    data-row={c.id}
                    className="conv-row"
                    aria-current={c.id === selectedId ? 'true' : undefined}
                    onClick={() => onOpen(c.id)}
                  >
                    <span className="avatar" aria-hidden="true">
                      {initials(contactName(c.contact))}
                    </span>
                    <span className="conv-main">
                      <span className="conv-top">
                        <span className="conv-name">{contactName(c.contact)}</span>
                        <time className="conv-when" dateTime={c.lastMessageAt ?? undefined}>
                          {shortWhen(c.lastMessageAt)}
                        </time>
                      </span>
                      <span className="conv-bottom">
                        <span className="conv-preview">
                          {c.lastMessage?.direction === 'outbound' && <span className="muted">You: </span>}
                          {c.lastMessage?.preview ??
                            (c.lastMessage ? `[${c.lastMessage.type}]` : 'No messages yet')}
                        </span>
                        {c.unreadCount > 0 && (
                          <span className="count" title={`${c.unreadCount} unread`}>
                            {c.unreadCount}
                            <span className="sr-only"> unread</span>
                          </span>
                        )}
                      </span>
                      <span className="conv-tags">
                        {c.status !== 'open' && <span className={`chip chip-${c.status}`}>{c.status}</span>}
                        {!c.window.open && <span className="chip chip-closed">window closed</span>}
                        {c.contact.optedOut && <span className="chip chip-danger">opted out</span>}
                        {c.assignee && (
                          <span className="chip">
                            <PresenceDot userId={c.assignee.userId} />
                            {c.assignee.name ?? c.assignee.email ?? 'assigned'}
                          </span>
                        )}
                        {c.labels.map((l) => (
                          <span key={l.id} className="chip" style={{ borderColor: l.color }}>
                            {l.name}
                          </span>
                        ))}
                      </span>
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {list.hasNextPage && (
            <div className="table-foot">
              <button
                type="button"
                className="btn btn-small"
                onClick={() => list.fetchNextPage()}
                disabled={list.isFetchingNextPage}
              >
                {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
