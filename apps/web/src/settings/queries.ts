import { useQuery } from '@tanstack/react-query';
import { api, call } from '../api/client';

export const membersKey = (workspaceId: string) => ['members', workspaceId] as const;
export const invitationsKey = (workspaceId: string) => ['invitations', workspaceId] as const;
export const apiKeysKey = (workspaceId: string) => ['api-keys', workspaceId] as const;

const path = (workspaceId: string) => ({ params: { path: { workspaceId } } });

export function useMembers(workspaceId: string, enabled = true) {
  return useQuery({
    queryKey: membersKey(workspaceId),
    queryFn: () => call(api.GET('/api/v1/workspaces/{workspaceId}/members', path(workspaceId))),
    enabled,
  });
}

export function useInvitations(workspaceId: string, enabled = true) {
  return useQuery({
    queryKey: invitationsKey(workspaceId),
    queryFn: () => call(api.GET('/api/v1/workspaces/{workspaceId}/invitations', path(workspaceId))),
    enabled,
  });
}

export function useApiKeys(workspaceId: string, enabled = true) {
  return useQuery({
    queryKey: apiKeysKey(workspaceId),
    queryFn: () => call(api.GET('/api/v1/workspaces/{workspaceId}/api-keys', path(workspaceId))),
    enabled,
  });
}
