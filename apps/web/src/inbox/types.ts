import type { components } from '../api/schema';

type Schemas = components['schemas'];

export type ConversationSummary = Schemas['ConversationSummary'];
export type Conversation = Schemas['Conversation'];
export type ThreadMessage = Schemas['ConversationMessage'];
export type Template = Schemas['Template'];

export type Note = Schemas['ConversationNote'];
export type QuickReply = Schemas['QuickReply'];
export type UploadedMedia = Schemas['UploadedMedia'];
export type MessageHit = Schemas['MessageSearchHit'];
export type ContactHit = Schemas['ContactSearchHit'];

/** The list's filters, kept in the URL so a reload or a shared link shows the same view. */
export interface InboxFilters {
  status?: Conversation['status'];
  assignee: string;
  label?: string;
  unread?: boolean;
  window?: 'open' | 'closed';
  /** Absent: newest activity first. */
  sort?: 'waiting_longest';
}

export function filtersFrom(params: URLSearchParams): InboxFilters {
  const status = params.get('status');
  const window = params.get('window');
  const unread = params.get('unread');
  const sort = params.get('sort');
  return {
    assignee: params.get('assignee') ?? 'anyone',
    ...(status === 'open' || status === 'pending' || status === 'resolved' || status === 'snoozed'
      ? { status }
      : {}),
    ...(params.get('label') ? { label: params.get('label') as string } : {}),
    ...(unread === 'true' ? { unread: true } : {}),
    ...(window === 'open' || window === 'closed' ? { window } : {}),
    ...(sort === 'waiting_longest' ? { sort } : {}),
  };
}
