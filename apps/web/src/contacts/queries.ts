import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, call } from '../api/client';
import type { components, paths } from '../api/schema';

export type Contact = components['schemas']['Contact'];
export type ContactSummary = components['schemas']['ContactSummary'];
export type OptEvent = components['schemas']['ContactOptEvent'];
export type ContactListQuery = NonNullable<
  paths['/api/v1/workspaces/{workspaceId}/contacts']['get']['parameters']['query']
>;
/** The list's filters as kept in the page URL. */
export type ContactFilters = Pick<ContactListQuery, 'q' | 'tag' | 'optState' | 'sort'>;

export const contactsKey = (workspaceId: string) => ['contacts', workspaceId] as const;
export const contactKey = (workspaceId: string, contactId: string) =>
  ['contacts', workspaceId, 'one', contactId] as const;

const PAGE_SIZE = 25;

export function useContactList(workspaceId: string, filters: ContactFilters) {
  return useInfiniteQuery({
    queryKey: [...contactsKey(workspaceId), 'list', filters],
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/v1/workspaces/{workspaceId}/contacts', {
          params: {
            path: { workspaceId },
            query: { ...filters, limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useContactTags(workspaceId: string) {
  return useQuery({
    queryKey: [...contactsKey(workspaceId), 'tags'],
    queryFn: () =>
      call(api.GET('/api/v1/workspaces/{workspaceId}/contacts/tags', { params: { path: { workspaceId } } })),
  });
}

export function useContact(workspaceId: string, contactId: string) {
  return useQuery({
    queryKey: contactKey(workspaceId, contactId),
    queryFn: () =>
      call(
        api.GET('/api/v1/workspaces/{workspaceId}/contacts/{contactId}', {
          params: { path: { workspaceId, contactId } },
        }),
      ),
  });
}

export function exportHref(workspaceId: string, filters: ContactFilters): string {
  const query = new URLSearchParams();
  for (const key of ['q', 'tag', 'optState'] as const) {
    const value = filters[key];
    if (value) query.set(key, value);
  }
  const suffix = query.size > 0 ? `?${query}` : '';
  return `/api/v1/workspaces/${encodeURIComponent(workspaceId)}/contacts/export${suffix}`;
}

export const optSourceLabels: Record<OptEvent['source'], string> = {
  keyword: 'Keyword reply',
  button: 'Button reply',
  user_preferences: "WhatsApp's marketing setting",
  agent: 'Team member',
  api: 'API',
  import: 'Import',
};

export const optChangeLabels: Record<OptEvent['change'], string> = {
  opt_out: 'Opted out',
  opt_in: 'Opted in',
  marketing_opt_out: 'Stopped marketing',
  marketing_opt_in: 'Resumed marketing',
};
