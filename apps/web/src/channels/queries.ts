import { useQuery } from '@tanstack/react-query';
import { api, call } from '../api/client';
import type { components } from '../api/schema';

export type Channel = components['schemas']['Channel'];
export type Onboarding = components['schemas']['ChannelOnboarding'];
export type OnboardingStep = Onboarding['step'];
export interface OnboardingOutcome {
  onboarding: Onboarding;
  channel: Channel | null;
}

export const channelsKey = (workspaceId: string) => ['channels', workspaceId] as const;

export function useChannels(workspaceId: string, enabled = true) {
  return useQuery({
    queryKey: channelsKey(workspaceId),
    queryFn: () =>
      call(api.GET('/api/v1/workspaces/{workspaceId}/channels', { params: { path: { workspaceId } } })),
    enabled,
    // Health changes (quality, tier, needs_reauth) come from Meta at any time; no push channel carries them.
    refetchInterval: 60_000,
  });
}

export function useEmbeddedSignupConfig() {
  return useQuery({
    queryKey: ['embedded-signup-config'],
    queryFn: () => call(api.GET('/api/v1/embedded-signup/config')),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** The number as people know it: "+1 555-010-0001 · Chai Point". */
export function channelLabel(
  channel: Pick<Channel, 'displayPhoneNumber' | 'verifiedName' | 'phoneNumberId'>,
) {
  const number = channel.displayPhoneNumber ?? `Number ${channel.phoneNumberId}`;
  return channel.verifiedName ? `${number} · ${channel.verifiedName}` : number;
}

export const statusLabels: Record<Channel['status'], string> = {
  pending: 'Setting up',
  pending_register: 'Registering',
  connected: 'Connected',
  failed: 'Failed',
  needs_reauth: 'Needs reconnecting',
  disconnected: 'Disconnected',
};

export const qualityLabels: Record<string, string> = {
  GREEN: 'High',
  YELLOW: 'Medium',
  RED: 'Low',
  UNKNOWN: 'Not rated yet',
};

/** TIER_2K → "2,000 customers / 24 h": how many people templates may reach outside the window per day. */
export function tierLabel(tier: string | null): string {
  if (!tier) return '—';
  if (tier === 'TIER_UNLIMITED') return 'Unlimited';
  const match = /^TIER_(\d+)(K?)$/.exec(tier);
  if (!match) return tier;
  const count = Number(match[1]) * (match[2] ? 1000 : 1);
  return `${count.toLocaleString()} customers / 24 h`;
}

export function throughputLabel(level: string | null): string {
  if (level === 'STANDARD') return 'Standard · 80 msg/s';
  if (level === 'HIGH') return 'High · up to 1,000 msg/s';
  return level ?? '—';
}

export const stepLabels: Record<Exclude<OnboardingStep, 'done'>, string> = {
  exchange_code: 'Confirm the sign-up with Meta',
  debug_token: 'Check the permissions you granted',
  subscribe_app: 'Subscribe to message webhooks',
  register_phone: 'Register the phone number',
  fetch_numbers: 'Read quality rating and limits',
};
