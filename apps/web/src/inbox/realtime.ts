import { type InfiniteData, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { live } from './live';
import { fetchPresence, inboxKeys } from './queries';
import type { ThreadMessage } from './types';

export type LiveState = 'connecting' | 'live' | 'offline';

type MessagePage = { items: ThreadMessage[]; nextCursor: string | null };

/**
 * The workspace's Server-Sent Events stream (see the realtime contract). Events patch or invalidate
 * the inbox caches; `resync` refetches everything shown. EventSource reconnects by itself (sending
 * Last-Event-ID); when the server refuses the stream outright, we retry after a pause and the
 * caller polls meanwhile.
 */
export function useRealtime(ws: string): LiveState {
  const qc = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: number | undefined;
    const invalidate = (queryKey: readonly unknown[]) => void qc.invalidateQueries({ queryKey });
    const listsAndCounts = () => {
      invalidate(inboxKeys.lists(ws));
      invalidate(inboxKeys.counts(ws));
    };
    // Presence is not replayed after a gap: read who is connected now.
    const refreshPresence = () =>
      fetchPresence(ws).then(
        (reply) => live.presenceOfAll(reply.users),
        () => undefined,
      );

    const handlers: Record<string, (data: Record<string, unknown>) => void> = {
      'message.created': (data) => {
        const id = String(data.conversationId);
        if (data.direction === 'outbound') live.sent(id);
        invalidate(inboxKeys.messages(ws, id));
        invalidate(inboxKeys.conversation(ws, id));
        listsAndCounts();
      },
      'message.status': (data) => {
        const id = String(data.conversationId);
        let found = false;
        qc.setQueryData<InfiniteData<MessagePage>>(inboxKeys.messages(ws, id), (cached) => {
          if (!cached) return cached;
          return {
            ...cached,
            pages: cached.pages.map((page) => ({
              ...page,
              items: page.items.map((m) => {
                if (m.id !== data.messageId) return m;
                found = true;
                return { ...m, status: data.status as ThreadMessage['status'] };
              }),
            })),
          };
        });
        // Failures carry a reason, which only the REST answer has.
        if (!found || data.status === 'failed') invalidate(inboxKeys.messages(ws, id));
        invalidate(inboxKeys.lists(ws));
      },
      'conversation.updated': (data) => {
        invalidate(inboxKeys.conversation(ws, String(data.conversationId)));
        if (data.change === 'note') invalidate(inboxKeys.notes(ws, String(data.conversationId)));
        listsAndCounts();
      },
      'note.created': (data) => invalidate(inboxKeys.notes(ws, String(data.conversationId))),
      // Opt-out, tags or attributes changed: every open conversation re-reads its contact.
      'contact.updated': () => {
        void qc.invalidateQueries({
          predicate: (q) =>
            q.queryKey[0] === 'inbox' && q.queryKey[1] === ws && q.queryKey[2] === 'conversation',
        });
        invalidate(inboxKeys.lists(ws));
      },
      typing: (data) =>
        live.typing(String(data.conversationId), {
          userId: String(data.userId),
          name: String(data.userName),
        }),
      presence: (data) => live.presence(String(data.userId), data.status as 'online' | 'away' | 'offline'),
      resync: () => {
        invalidate(inboxKeys.all(ws));
        void refreshPresence();
      },
    };

    const connect = (again: boolean) => {
      setState('connecting');
      source = new EventSource(`/api/v1/workspaces/${encodeURIComponent(ws)}/realtime`);
      source.onopen = () => {
        setState('live');
        void refreshPresence();
        // A fresh stream cannot replay what was missed while it was down.
        if (again) invalidate(inboxKeys.all(ws));
      };
      source.onerror = () => {
        if (source?.readyState !== EventSource.CLOSED) return setState('connecting');
        setState('offline');
        retry = window.setTimeout(() => connect(true), 15_000);
      };
      for (const [type, handle] of Object.entries(handlers)) {
        source.addEventListener(type, (event) => {
          try {
            handle(JSON.parse((event as MessageEvent<string>).data) as Record<string, unknown>);
          } catch {
            invalidate(inboxKeys.all(ws));
          }
        });
      }
    };
    connect(false);
    return () => {
      window.clearTimeout(retry);
      source?.close();
      live.reset();
    };
  }, [qc, ws]);

  return state;
}
