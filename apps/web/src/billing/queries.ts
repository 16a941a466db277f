import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, call } from '../api/client';
import type { components, paths } from '../api/schema';

type Schemas = components['schemas'];
export type Wallet = Schemas['Wallet'];
export type WalletEntry = Schemas['WalletEntry'];
export type UsageReport = Schemas['BillingUsage'];
export type UsageGroup = UsageReport['groupBy'];
export type GovernanceFlag = Schemas['GovernanceFlag'];
export type GovernanceSettings = Schemas['GovernanceSettings'];
export type TemplateVelocity = Schemas['TemplateVelocity'];
type UsageQuery = NonNullable<
  paths['/api/v1/workspaces/{workspaceId}/billing/usage']['get']['parameters']['query']
>;

/** Everything billing shows for a workspace starts with this key, so one invalidation refreshes it all. */
export const billingKey = (workspaceId: string) => ['billing', workspaceId] as const;
export const flagsKey = (workspaceId: string) => [...billingKey(workspaceId), 'flags'] as const;
export const governanceSettingsKey = (workspaceId: string) =>
  [...billingKey(workspaceId), 'governance-settings'] as const;

const PAGE_SIZE = 25;
const path = (workspaceId: string) => ({ path: { workspaceId } });

export function useWallet(workspaceId: string) {
  return useQuery({
    queryKey: [...billingKey(workspaceId), 'wallet'],
    queryFn: () =>
      call(api.GET('/api/v1/workspaces/{workspaceId}/billing/wallet', { params: path(workspaceId) })),
  });
}

export function useWalletEntries(workspaceId: string) {
  return useInfiniteQuery({
    queryKey: [...billingKey(workspaceId), 'wallet-entries'],
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/v1/workspaces/{workspaceId}/billing/wallet/entries', {
          params: {
            ...path(workspaceId),
            query: { limit: PAGE_SIZE, ...(pageParam ? { before: pageParam } : {}) },
          },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
}

export function useUsage(workspaceId: string, query: UsageQuery) {
  return useQuery({
    queryKey: [...billingKey(workspaceId), 'usage', query],
    queryFn: () =>
      call(
        api.GET('/api/v1/workspaces/{workspaceId}/billing/usage', {
          params: { ...path(workspaceId), query },
        }),
      ),
  });
}

export function useTemplateVelocity(workspaceId: string) {
  return useQuery({
    queryKey: [...billingKey(workspaceId), 'velocity'],
    queryFn: () =>
      call(
        api.GET('/api/v1/workspaces/{workspaceId}/billing/governance/templates', {
          params: path(workspaceId),
        }),
      ),
    // The figures cover a sliding hour; the server re-evaluates every minute.
    refetchInterval: 60_000,
  });
}

export function useFlags(workspaceId: string, state: GovernanceFlag['state']) {
  return useQuery({
    queryKey: [...flagsKey(workspaceId), state],
    queryFn: () =>
      call(
        api.GET('/api/v1/workspaces/{workspaceId}/billing/governance/flags', {
          params: { ...path(workspaceId), query: { state } },
        }),
      ),
    refetchInterval: 60_000,
  });
}

export function useGovernanceSettings(workspaceId: string) {
  return useQuery({
    queryKey: governanceSettingsKey(workspaceId),
    queryFn: () =>
      call(
        api.GET('/api/v1/workspaces/{workspaceId}/billing/governance/settings', {
          params: path(workspaceId),
        }),
      ),
  });
}
