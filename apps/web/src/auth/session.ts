import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { ApiError, api, call, setCsrfToken } from '../api/client';
import type { Me } from '../api/types';

export const meKey = ['me'] as const;

/** The signed-in user and their workspaces; `null` when signed out (401 is an answer, not an error). */
export function useMe() {
  return useQuery({
    queryKey: meKey,
    queryFn: async (): Promise<Me | null> => {
      try {
        const me = await call(api.GET('/api/v1/auth/me'));
        setCsrfToken(me.csrfToken);
        return me;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          setCsrfToken(null);
          return null;
        }
        throw error;
      }
    },
    staleTime: 60_000,
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
  });
}

/** After log-in or sign-up: keep the CSRF token and reload who we are before moving on. */
export function useSessionStarted() {
  const queryClient = useQueryClient();
  return async (csrfToken: string) => {
    setCsrfToken(csrfToken);
    await queryClient.invalidateQueries({ queryKey: meKey });
  };
}

export function useLogOut() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: () => call(api.POST('/api/v1/auth/logout')),
    onSettled: () => {
      setCsrfToken(null);
      queryClient.clear();
      queryClient.setQueryData(meKey, null);
      navigate('/login', { replace: true });
    },
  });
}

const LAST_WORKSPACE = 'owaba.lastWorkspace';

export function rememberWorkspace(id: string): void {
  try {
    localStorage.setItem(LAST_WORKSPACE, id);
  } catch {
    // Private mode: the choice just isn't remembered.
  }
}

/** Where to land after sign-in: the last workspace used, if still a member, else the first. */
export function homePath(me: Me): string {
  let last: string | null = null;
  try {
    last = localStorage.getItem(LAST_WORKSPACE);
  } catch {
    last = null;
  }
  const workspace = me.workspaces.find((w) => w.id === last) ?? me.workspaces[0];
  return workspace ? `/w/${workspace.id}/inbox` : '/workspaces/new';
}

/** A `next` parameter is followed only when it stays inside the app. */
export function safeNext(next: string | null): string | null {
  return next?.startsWith('/') && !next.startsWith('//') ? next : null;
}
