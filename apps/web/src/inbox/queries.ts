import {
  type InfiniteData,
  type QueryClient,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { api, call } from '../api/client';
import type { SendMessageRequest } from './send';
import type { Conversation, InboxFilters, ThreadMessage, UploadedMedia } from './types';

/**
 * Every inbox cache key starts with ['inbox', workspaceId], so a realtime `resync` can refetch the
 * lot, and an event can target one conversation.
 */
export const inboxKeys = {
  all: (ws: string) => ['inbox', ws] as const,
  lists: (ws: string) => ['inbox', ws, 'list'] as const,
  list: (ws: string, filters: InboxFilters) => ['inbox', ws, 'list', filters] as const,
  counts: (ws: string) => ['inbox', ws, 'counts'] as const,
  conversation: (ws: string, id: string) => ['inbox', ws, 'conversation', id] as const,
  messages: (ws: string, id: string) => ['inbox', ws, 'conversation', id, 'messages'] as const,
  notes: (ws: string, id: string) => ['inbox', ws, 'conversation', id, 'notes'] as const,
  labels: (ws: string) => ['inbox', ws, 'labels'] as const,
  templates: (ws: string, wabaId: string) => ['inbox', ws, 'templates', wabaId] as const,
  channels: (ws: string) => ['inbox', ws, 'channels'] as const,
  quickReplies: (ws: string, prefix: string) => ['inbox', ws, 'quick-replies', prefix] as const,
  search: (ws: string, type: SearchType, term: string) => ['inbox', ws, 'search', type, term] as const,
};

export type SearchType = 'messages' | 'contacts';

const PAGE = 30;

/** `poll`: how often to refetch while the live stream is down (false: it is up). */
type Poll = number | false;

export function useConversationList(ws: string, filters: InboxFilters, poll: Poll) {
  return useInfiniteQuery({
    refetchInterval: poll,
    queryKey: inboxKeys.list(ws, filters),
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/v1/workspaces/{workspaceId}/conversations', {
          params: {
            path: { workspaceId: ws },
            query: {
              assignee: filters.assignee,
              ...(filters.status ? { status: filters.status } : {}),
              ...(filters.unread ? { unread: 'true' } : {}),
              ...(filters.window ? { window: filters.window } : {}),
              ...(filters.label ? { label: filters.label } : {}),
              sort: filters.sort ?? 'last_activity',
              limit: PAGE,
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useCounts(ws: string) {
  return useQuery({
    queryKey: inboxKeys.counts(ws),
    queryFn: () =>
      call(
        api.GET('/api/v1/workspaces/{workspaceId}/conversations/counts', {
          params: { path: { workspaceId: ws } },
        }),
      ),
  });
}

const one = (ws: string, id: string) => ({ params: { path: { workspaceId: ws, conversationId: id } } });

export function useConversation(ws: string, id: string, poll: Poll) {
  return useQuery({
    refetchInterval: poll,
    queryKey: inboxKeys.conversation(ws, id),
    queryFn: () =>
      call(api.GET('/api/v1/workspaces/{workspaceId}/conversations/{conversationId}', one(ws, id))),
  });
}

/** While a customer's file is still being copied from Meta (no event says when it is done). */
const MEDIA_PENDING_REFETCH_MS = 3_000;
type MessagesQuery = { state: { data: InfiniteData<{ items: ThreadMessage[] }> | undefined } };
const hasPendingMedia = (query: MessagesQuery) =>
  query.state.data?.pages.some((page) => page.items.some((m) => m.media?.state === 'pending')) ?? false;

export function useMessages(ws: string, id: string, poll: Poll) {
  return useInfiniteQuery({
    refetchInterval: (query: MessagesQuery) =>
      poll || (hasPendingMedia(query) ? MEDIA_PENDING_REFETCH_MS : false),
    queryKey: inboxKeys.messages(ws, id),
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/v1/workspaces/{workspaceId}/conversations/{conversationId}/messages', {
          params: {
            path: { workspaceId: ws, conversationId: id },
            query: { limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useNotes(ws: string, id: string, enabled: boolean) {
  return useQuery({
    queryKey: inboxKeys.notes(ws, id),
    queryFn: () =>
      call(api.GET('/api/v1/workspaces/{workspaceId}/conversations/{conversationId}/notes', one(ws, id))),
    enabled,
  });
}

export function useLabels(ws: string) {
  return useQuery({
    queryKey: inboxKeys.labels(ws),
    queryFn: () =>
      call(api.GET('/api/v1/workspaces/{workspaceId}/labels', { params: { path: { workspaceId: ws } } })),
    staleTime: 60_000,
  });
}

export function useQuickReplies(ws: string, prefix: string | null) {
  return useQuery({
    queryKey: inboxKeys.quickReplies(ws, prefix ?? ''),
    queryFn: () =>
      call(
        api.GET('/api/v1/workspaces/{workspaceId}/quick-replies', {
          params: { path: { workspaceId: ws }, query: { q: prefix ?? '' } },
        }),
      ),
    enabled: prefix !== null,
    staleTime: 30_000,
  });
}

export function renderQuickReply(ws: string, quickReplyId: string, conversationId: string) {
  return call(
    api.POST('/api/v1/workspaces/{workspaceId}/quick-replies/{quickReplyId}/render', {
      params: { path: { workspaceId: ws, quickReplyId } },
      body: { conversationId },
    }),
  );
}

export function useSearch(ws: string, type: SearchType, term: string) {
  return useInfiniteQuery({
    queryKey: inboxKeys.search(ws, type, term),
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/v1/workspaces/{workspaceId}/search', {
          params: {
            path: { workspaceId: ws },
            query: { q: term, type, limit: 10, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: term.length > 0,
    staleTime: 30_000,
  });
}

/** Uploads a file to Meta for the conversation's number; the answer's id is what a message sends. */
export function uploadMedia(ws: string, channelId: string, file: File): Promise<UploadedMedia> {
  const form = new FormData();
  form.append('file', file);
  return call(
    api.POST('/api/v1/workspaces/{workspaceId}/channels/{channelId}/media', {
      params: { path: { workspaceId: ws, channelId } },
      // multipart/form-data: the OpenAPI document describes the part in prose, so it has no body type.
      body: form as never,
    }),
  );
}

/** Where the platform serves a message's file (see the media module). */
export function messageMediaUrl(ws: string, messageId: string): string {
  return `/api/v1/workspaces/${encodeURIComponent(ws)}/messages/${encodeURIComponent(messageId)}/media`;
}

export function fetchPresence(ws: string) {
  return call(
    api.GET('/api/v1/workspaces/{workspaceId}/realtime/presence', { params: { path: { workspaceId: ws } } }),
  );
}

export function setOwnPresence(ws: string, status: 'online' | 'away') {
  return call(
    api.PUT('/api/v1/workspaces/{workspaceId}/realtime/presence', {
      params: { path: { workspaceId: ws } },
      body: { status },
    }),
  );
}

export function announceTyping(ws: string, conversationId: string) {
  return call(
    api.POST('/api/v1/workspaces/{workspaceId}/realtime/typing', {
      params: { path: { workspaceId: ws } },
      body: { conversationId },
    }),
  );
}

export function useChannels(ws: string) {
  return useQuery({
    queryKey: inboxKeys.channels(ws),
    queryFn: () =>
      call(api.GET('/api/v1/workspaces/{workspaceId}/channels', { params: { path: { workspaceId: ws } } })),
    staleTime: 60_000,
  });
}

export function useApprovedTemplates(ws: string, wabaId: string | undefined) {
  return useQuery({
    queryKey: inboxKeys.templates(ws, wabaId ?? ''),
    queryFn: () =>
      call(
        api.GET('/api/v1/workspaces/{workspaceId}/templates', {
          params: { path: { workspaceId: ws }, query: { status: 'APPROVED', ...(wabaId ? { wabaId } : {}) } },
        }),
      ),
    enabled: wabaId !== undefined,
  });
}

/** After any change to a conversation: its detail, the lists it appears in and the counts. */
export function refreshConversation(qc: QueryClient, ws: string, id: string, detail?: Conversation) {
  if (detail) qc.setQueryData(inboxKeys.conversation(ws, id), detail);
  else void qc.invalidateQueries({ queryKey: inboxKeys.conversation(ws, id), exact: true });
  void qc.invalidateQueries({ queryKey: inboxKeys.lists(ws) });
  void qc.invalidateQueries({ queryKey: inboxKeys.counts(ws) });
}

type Action =
  | { kind: 'assign'; assigneeId: string | null }
  | { kind: 'status'; status: 'open' | 'pending' | 'resolved' }
  | { kind: 'snooze'; until: string }
  | { kind: 'labels'; labelIds: string[] }
  | { kind: 'read' };

/** Assign, status, snooze, labels and mark-read: each answers with the updated conversation. */
export function useConversationAction(ws: string, id: string) {
  const qc = useQueryClient();
  const path = one(ws, id);
  return useMutation({
    mutationFn: async (action: Action): Promise<Conversation> => {
      switch (action.kind) {
        case 'assign':
          return call(
            api.POST('/api/v1/workspaces/{workspaceId}/conversations/{conversationId}/assign', {
              ...path,
              body: { assigneeId: action.assigneeId },
            }),
          );
        case 'status':
          return call(
            api.POST('/api/v1/workspaces/{workspaceId}/conversations/{conversationId}/status', {
              ...path,
              body: { status: action.status },
            }),
          );
        case 'snooze':
          return call(
            api.POST('/api/v1/workspaces/{workspaceId}/conversations/{conversationId}/status', {
              ...path,
              body: { status: 'snoozed', until: action.until },
            }),
          );
        case 'labels':
          return call(
            api.PUT('/api/v1/workspaces/{workspaceId}/conversations/{conversationId}/labels', {
              ...path,
              body: { labelIds: action.labelIds },
            }),
          );
        case 'read':
          return call(api.POST('/api/v1/workspaces/{workspaceId}/conversations/{conversationId}/read', path));
      }
    },
    onSuccess: (detail) => refreshConversation(qc, ws, id, detail),
  });
}

export function useAddNote(ws: string, id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: string) =>
      call(
        api.POST('/api/v1/workspaces/{workspaceId}/conversations/{conversationId}/notes', {
          ...one(ws, id),
          body: { body },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: inboxKeys.notes(ws, id) }),
  });
}

/** Sends through the one send path; a retried click reuses its Idempotency-Key, so nothing goes twice. */
export function useSendMessage(ws: string, conversationId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ body, key }: { body: SendMessageRequest; key: string }) =>
      call(
        api.POST('/api/v1/workspaces/{workspaceId}/messages', {
          params: { path: { workspaceId: ws } },
          headers: { 'Idempotency-Key': key },
          body,
        }),
      ),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: inboxKeys.messages(ws, conversationId) });
      refreshConversation(qc, ws, conversationId);
    },
  });
}
