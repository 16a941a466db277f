import { useQuery } from '@tanstack/react-query';
import { api, call } from '../api/client';
import type { components } from '../api/schema';

export type Template = components['schemas']['Template'];

export const templatesKey = (workspaceId: string) => ['templates', workspaceId] as const;

export function useTemplates(workspaceId: string, status: string | undefined) {
  return useQuery({
    queryKey: [...templatesKey(workspaceId), status ?? 'all'],
    queryFn: () =>
      call(
        api.GET('/api/v1/workspaces/{workspaceId}/templates', {
          params: { path: { workspaceId }, query: status ? { status } : {} },
        }),
      ),
    // Meta reviews in minutes: while something waits for review, look again now and then.
    refetchInterval: (query) => (query.state.data?.items.some((t) => t.status === 'PENDING') ? 5_000 : false),
  });
}

export const STATUS_TONE: Record<string, string> = {
  APPROVED: 'badge-ok',
  PENDING: 'badge-warn',
  IN_APPEAL: 'badge-warn',
  REJECTED: 'badge-danger',
  PAUSED: 'badge-danger',
  DISABLED: 'badge-danger',
};

export const statusLabel = (status: string) =>
  status.charAt(0) + status.slice(1).toLowerCase().replace(/_/g, ' ');
