import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useWorkspace } from '../app/workspace';
import { useMembers } from '../settings/queries';
import { ErrorState, Spinner } from '../ui/states';
import { Composer } from './Composer';
import { contactName, duration, whenExact } from './format';
import { MessageBubble } from './MessageBubble';
import { PresenceDot, TypingLine } from './Presence';
import { inboxKeys, useConversationAction, useLabels, useMessages, useNotes } from './queries';
import type { Conversation, Note, ThreadMessage } from './types';

type Item =
  | { kind: 'message'; at: string; message: ThreadMessage }
  | { kind: 'note'; at: string; note: Note };

/** The middle pane: header with actions, the messages (and notes) oldest first, the composer. */
export function Thread({
  conversation,
  onBack,
  onContact,
  poll,
}: {
  conversation: Conversation;
  onBack: () => void;
  onContact: () => void;
  poll: number | false;
}) {
  const { id: ws, can } = useWorkspace();
  const messages = useMessages(ws, conversation.id, poll);
  const notes = useNotes(ws, conversation.id, can('conversations.read.assigned'));
  const action = useConversationAction(ws, conversation.id);
  const scroller = useRef<HTMLDivElement>(null);

  const loaded = useMemo(() => messages.data?.pages.flatMap((p) => p.items) ?? [], [messages.data]);
  const byWamid = useMemo(() => new Map(loaded.filter((m) => m.wamid).map((m) => [m.wamid, m])), [loaded]);
  const reactions = useMemo(() => {
    const map = new Map<string, ThreadMessage[]>();
    for (const m of loaded) {
      if (m.type !== 'reaction' || !m.contextWamid || !byWamid.has(m.contextWamid)) continue;
      map.set(m.contextWamid, [...(map.get(m.contextWamid) ?? []), m]);
    }
    return map;
  }, [loaded, byWamid]);
  const items = useMemo(() => {
    // Pages come newest first; reversed, messages stamped in the same second keep their order.
    const list: Item[] = [
      ...[...loaded]
        .reverse()
        // A reaction shows on the message it reacts to, when that one is loaded.
        .filter((m) => !(m.type === 'reaction' && m.contextWamid && byWamid.has(m.contextWamid)))
        .map((m) => ({ kind: 'message' as const, at: m.occurredAt, message: m })),
      ...(notes.data?.items ?? []).map((n) => ({ kind: 'note' as const, at: n.createdAt, note: n })),
    ];
    return list.sort((a, b) => a.at.localeCompare(b.at));
  }, [loaded, notes.data, byWamid]);

  // Opening marks the conversation read (the customer sees blue ticks).
  const unread = conversation.unreadCount;
  const mayUpdate = can('conversations.update');
  const markRead = action.mutate;
  useEffect(() => {
    if (unread > 0 && mayUpdate) markRead({ kind: 'read' });
  }, [unread, mayUpdate, markRead]);

  // Show the newest message when one arrives, and stay at the bottom while the pane resizes (the
  // composer grows when a template is picked) unless the reader scrolled up.
  const newest = items.at(-1)?.at;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && newest) el.scrollTop = el.scrollHeight;
  }, [newest]);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    let atBottom = true;
    const onScroll = () => {
      atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
    };
    const observer = new ResizeObserver(() => {
      if (atBottom) el.scrollTop = el.scrollHeight;
    });
    el.addEventListener('scroll', onScroll, { passive: true });
    observer.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      observer.disconnect();
    };
  }, []);

  return (
    <section className="inbox-thread" aria-label={`Conversation with ${contactName(conversation.contact)}`}>
      <header className="thread-head">
        <button
          type="button"
          className="btn-icon only-phone"
          aria-label="Back to conversations"
          onClick={onBack}
        >
          ←
        </button>
        <button type="button" className="thread-who" onClick={onContact} aria-label="Contact details">
          <h2>{contactName(conversation.contact)}</h2>
          <span className="muted small">{conversation.contact.phone}</span>
        </button>
        <WindowBadge conversation={conversation} />
        <Actions conversation={conversation} />
      </header>
      <div className="thread-scroll" ref={scroller}>
        {messages.hasNextPage && (
          <div className="thread-older">
            <button
              type="button"
              className="btn btn-small btn-ghost"
              onClick={() => messages.fetchNextPage()}
              disabled={messages.isFetchingNextPage}
            >
              {messages.isFetchingNextPage ? 'Loading…' : 'Load older messages'}
            </button>
          </div>
        )}
        {messages.isPending && <Spinner label="Loading messages…" />}
        {messages.isError && <ErrorState error={messages.error} onRetry={() => messages.refetch()} />}
        <ol className="thread" aria-live="polite" aria-relevant="additions">
          {items.map((item) =>
            item.kind === 'note' ? (
              <li key={item.note.id} className="note" data-note-id={item.note.id}>
                <span className="note-kicker">
                  Internal note · {item.note.author.name} · {whenExact(item.note.createdAt)}
                </span>
                <p>{item.note.body}</p>
              </li>
            ) : (
              <MessageBubble
                key={item.message.id}
                message={item.message}
                quoted={
                  item.message.contextWamid ? (byWamid.get(item.message.contextWamid) ?? null) : undefined
                }
                reactions={item.message.wamid ? (reactions.get(item.message.wamid) ?? []) : []}
              />
            ),
          )}
        </ol>
      </div>
      <TypingLine conversationId={conversation.id} />
      <Composer key={conversation.id} conversation={conversation} />
    </section>
  );
}

/** "Window open · closes Tue 14:05 (in 3h 12m)" or "Window closed"; refetches when it lapses. */
function WindowBadge({ conversation }: { conversation: Conversation }) {
  const { id: ws } = useWorkspace();
  const qc = useQueryClient();
  const [now, setNow] = useState(() => Date.now());
  const closesAt = conversation.window.open ? conversation.window.closesAt : null;

  useEffect(() => {
    if (!closesAt) return;
    const tick = window.setInterval(() => setNow(Date.now()), 30_000);
    const left = new Date(closesAt).getTime() - Date.now();
    // When the window lapses the server's composer state changes: ask for it.
    const lapse = window.setTimeout(
      () => {
        setNow(Date.now());
        void qc.invalidateQueries({ queryKey: inboxKeys.conversation(ws, conversation.id) });
        void qc.invalidateQueries({ queryKey: inboxKeys.lists(ws) });
      },
      Math.min(Math.max(0, left) + 500, 2_147_000_000),
    );
    return () => {
      window.clearInterval(tick);
      window.clearTimeout(lapse);
    };
  }, [closesAt, qc, ws, conversation.id]);

  if (closesAt) {
    return (
      <span className="window-badge window-open" title={`Free-form replies until ${whenExact(closesAt)}`}>
        Window open · closes {whenExact(closesAt)} (in {duration(new Date(closesAt).getTime() - now)})
      </span>
    );
  }
  return (
    <span
      className="window-badge window-closed"
      title="Only approved templates can be sent until the customer writes"
    >
      Window closed · templates only
    </span>
  );
}

function Actions({ conversation }: { conversation: Conversation }) {
  const { id: ws, can } = useWorkspace();
  const action = useConversationAction(ws, conversation.id);
  const mayAssign = can('conversations.assign');
  const members = useMembers(ws, mayAssign && can('members.view'));
  const labels = useLabels(ws);
  const [snoozing, setSnoozing] = useState(false);
  const mayUpdate = can('conversations.update');
  if (!mayAssign && !mayUpdate) return null;

  const assigned = conversation.assignee?.userId ?? '';
  // While a label change is on its way, the boxes show what was asked for.
  const asked = action.isPending && action.variables?.kind === 'labels' ? action.variables.labelIds : null;
  const current = new Set(asked ?? conversation.labels.map((l) => l.id));
  const snooze = (hours: number) => {
    setSnoozing(false);
    action.mutate({ kind: 'snooze', until: new Date(Date.now() + hours * 3600_000).toISOString() });
  };

  return (
    <div className="thread-actions">
      {mayAssign && assigned && <PresenceDot userId={assigned} />}
      {mayAssign && (
        <select
          aria-label="Assignee"
          value={assigned}
          onChange={(e) => action.mutate({ kind: 'assign', assigneeId: e.target.value || null })}
          disabled={action.isPending}
        >
          <option value="">Unassigned</option>
          {assigned && !members.data?.items.some((m) => m.userId === assigned) && (
            <option value={assigned}>{conversation.assignee?.name ?? conversation.assignee?.email}</option>
          )}
          {members.data?.items
            .filter((m) => m.role !== 'viewer')
            .map((m) => (
              <option key={m.userId} value={m.userId}>
                {m.name}
              </option>
            ))}
        </select>
      )}
      {mayUpdate && (
        <>
          <select
            aria-label="Conversation status"
            value={conversation.status}
            onChange={(e) => {
              const status = e.target.value;
              if (status === 'snoozed') setSnoozing(true);
              else action.mutate({ kind: 'status', status: status as 'open' | 'pending' | 'resolved' });
            }}
            disabled={action.isPending}
          >
            <option value="open">Open</option>
            <option value="pending">Pending</option>
            <option value="resolved">Resolved</option>
            <option value="snoozed">
              {conversation.status === 'snoozed' && conversation.snoozedUntil
                ? `Snoozed until ${whenExact(conversation.snoozedUntil)}`
                : 'Snooze…'}
            </option>
          </select>
          {snoozing && (
            <fieldset className="snooze-menu">
              <legend className="sr-only">Snooze for</legend>
              <button type="button" className="btn btn-small" onClick={() => snooze(1)}>
                1 hour
              </button>
              <button type="button" className="btn btn-small" onClick={() => snooze(4)}>
                4 hours
              </button>
              <button type="button" className="btn btn-small" onClick={() => snooze(24)}>
                1 day
              </button>
              <button type="button" className="btn btn-small btn-ghost" onClick={() => setSnoozing(false)}>
                Cancel
              </button>
            </fieldset>
          )}
          {(labels.data?.items.length ?? 0) > 0 && (
            <details className="label-menu">
              <summary className="btn btn-small btn-ghost">Labels</summary>
              <div className="label-menu-body">
                {labels.data?.items.map((l) => (
                  <label key={l.id} className="check">
                    <input
                      type="checkbox"
                      checked={current.has(l.id)}
                      onChange={(e) => {
                        const next = new Set(current);
                        if (e.target.checked) next.add(l.id);
                        else next.delete(l.id);
                        action.mutate({ kind: 'labels', labelIds: [...next] });
                      }}
                    />
                    <span className="label-dot" style={{ background: l.color }} aria-hidden="true" />
                    {l.name}
                  </label>
                ))}
              </div>
            </details>
          )}
        </>
      )}
      {action.isError && (
        <span className="field-error" role="alert">
          {action.error.message}
        </span>
      )}
    </div>
  );
}
