import { useQuery } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import { api, call } from '../api/client';
import type { WorkspaceDetail } from '../api/types';

export const workspaceKey = (id: string) => ['workspace', id] as const;

export function useWorkspaceQuery(workspaceId: string) {
  return useQuery({
    queryKey: workspaceKey(workspaceId),
    queryFn: () => call(api.GET('/api/v1/workspaces/{workspaceId}', { params: { path: { workspaceId } } })),
  });
}

export const WorkspaceContext = createContext<WorkspaceDetail | null>(null);

/** The current workspace (plan, limits, my role and permissions); only inside the app shell. */
export function useWorkspace() {
  const workspace = useContext(WorkspaceContext);
  if (!workspace) throw new Error('useWorkspace outside the workspace shell');
  return {
    workspace,
    id: workspace.id,
    role: workspace.role,
    /** What the UI shows; the server still checks every call. */
    can: (permission: string) => workspace.permissions.includes(permission),
  };
}
