import type { components } from '../api/schema';

type Schemas = components['schemas'];

export type ConversationSummary = Schemas['ConversationSummary'];
export type Conversation = Schemas['Conversation'];
export type ThreadMessage = Schemas['ConversationMessage'];
export type Template = Schemas['Template'];

export type Note = Schemas['ConversationNote'];
export type QuickReply = Schemas['QuickReply'];

/** The list's filters, kept in the URL so a reload or a shared link shows the same view. */
export interface InboxFilters {
  status?: Conversation['status'];
  assignee: string;
  label?: string;
  unread?: boolean;
  window?: 'open' | 'closed';
}

export function filtersFrom(params: URLSearchParams): InboxFilters {
  const status = params.get('status');
  const window = params.get('window');
  const unread = params.get('unread');
  return {
    assignee: params.get('assignee') ?? 'anyone',
    ...(status === 'open' || status === 'pending' || status === 'resolved' || status === 'snoozed'
      ? { status }
      : {}),
    ...(params.get('label') ? { label: params.get('label') as string } : {}),
    ...(unread === 'true' ? { unread: true } : {}),
    ...(window === 'open' || window === 'closed' ? { window } : {}),
  };
}
