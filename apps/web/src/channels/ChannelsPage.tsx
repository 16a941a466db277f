import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call, errorMessage } from '../api/client';
import { useWorkspace } from '../app/workspace';
import { ConfirmDialog } from '../settings/ConfirmDialog';
import { useAnnounce } from '../ui/announcer';
import { formatDateTime } from '../ui/format';
import { EmptyState, ErrorState, PageHeader, Spinner } from '../ui/states';
import { ConnectDialog } from './ConnectDialog';
import {
  type Channel,
  channelLabel,
  channelsKey,
  qualityLabels,
  statusLabels,
  throughputLabel,
  tierLabel,
  useChannels,
} from './queries';
import './channels.css';

const STATUS_TONE: Record<Channel['status'], string> = {
  connected: 'badge-ok',
  pending: 'badge-muted',
  pending_register: 'badge-muted',
  failed: 'badge-danger',
  needs_reauth: 'badge-danger',
  disconnected: 'badge-muted',
};

export default function ChannelsPage() {
  const { id: workspaceId, can } = useWorkspace();
  const channels = useChannels(workspaceId);
  // null: closed; otherwise open, possibly to reconnect one number (its phone number id).
  const [connecting, setConnecting] = useState<{ reconnect?: string } | null>(null);
  const items = channels.data?.items ?? [];
  const reauth = items.filter((c) => c.status === 'needs_reauth' || c.wabaStatus === 'needs_reauth');

  return (
    <>
      <PageHeader title="Channels">
        {can('channels.manage') && (
          <button type="button" className="btn btn-primary" onClick={() => setConnecting({})}>
            Connect WhatsApp
          </button>
        )}
      </PageHeader>
      <p className="muted page-lead">
        Your WhatsApp numbers, their quality rating and how many customers they may reach.
      </p>
      {reauth.length > 0 && (
        <div className="banner banner-error reauth" role="alert">
          <strong>
            {reauth.length === 1 ? `${channelLabel(reauth[0]!)} needs` : `${reauth.length} numbers need`} to
            be reconnected.
          </strong>{' '}
          Meta no longer accepts the access token, so messages cannot be sent or received there.
          {can('channels.manage') ? (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => setConnecting({ reconnect: reauth[0]?.phoneNumberId })}
            >
              Reconnect
            </button>
          ) : (
            ' Ask an Owner or Manager to reconnect it.'
          )}
        </div>
      )}
      <section className="card card-flush" aria-label="Connected numbers" aria-busy={channels.isFetching}>
        {channels.isPending && <Spinner label="Loading channels…" />}
        {channels.isError && <ErrorState error={channels.error} onRetry={() => channels.refetch()} />}
        {channels.data &&
          (items.length === 0 ? (
            <EmptyState title="No WhatsApp number connected yet">
              {can('channels.manage')
                ? 'Connect one through Meta’s sign-up to start receiving messages.'
                : 'An Owner or Manager can connect one.'}
            </EmptyState>
          ) : (
            <ChannelTable channels={items} onReconnect={(reconnect) => setConnecting({ reconnect })} />
          ))}
      </section>
      <ConnectDialog
        open={connecting !== null}
        reconnect={connecting?.reconnect}
        onClose={() => setConnecting(null)}
      />
    </>
  );
}

function ChannelTable({
  channels,
  onReconnect,
}: {
  channels: Channel[];
  onReconnect: (phoneNumberId: string) => void;
}) {
  const { id: workspaceId, can } = useWorkspace();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const [disconnecting, setDisconnecting] = useState<Channel | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: channelsKey(workspaceId) });
  const path = (channel: Channel) => ({ params: { path: { workspaceId, channelId: channel.id } } });
  const sync = useMutation({
    mutationFn: (channel: Channel) =>
      call(api.POST('/api/v1/workspaces/{workspaceId}/channels/{channelId}/sync', path(channel))),
    onSuccess: (channel) => announce(`${channelLabel(channel)} refreshed from Meta`),
    onError: (error) => announce(errorMessage(error), 'error'),
    onSettled: refresh,
  });
  const disconnect = useMutation({
    mutationFn: (channel: Channel) =>
      call(api.POST('/api/v1/workspaces/{workspaceId}/channels/{channelId}/disconnect', path(channel))),
    onSuccess: async (channel) => {
      await refresh();
      announce(`${channelLabel(channel)} was disconnected`);
      setDisconnecting(null);
    },
  });

  return (
    <>
      <div className="table-wrap">
        <table className="table channels-table">
          <thead>
            <tr>
              <th scope="col">Number</th>
              <th scope="col">Status</th>
              <th scope="col">Quality</th>
              <th scope="col">Messaging limit</th>
              <th scope="col" className="hide-sm">
                Throughput
              </th>
              <th scope="col" className="hide-sm">
                Last synced
              </th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {channels.map((channel) => (
              <tr key={channel.id} className={channel.status === 'needs_reauth' ? 'row-alert' : undefined}>
                <td>
                  <div className="cell-primary">{channel.displayPhoneNumber ?? channel.phoneNumberId}</div>
                  <div className="cell-secondary">
                    {channel.verifiedName ?? 'Name pending'} · WABA {channel.wabaExternalId}
                  </div>
                  {channel.lastError && channel.status !== 'connected' && (
                    <div className="cell-error">{channel.lastError.message}</div>
                  )}
                </td>
                <td>
                  <span className={`badge ${STATUS_TONE[channel.status]}`}>
                    {statusLabels[channel.status]}
                  </span>
                </td>
                <td>
                  <span className="quality">
                    <span
                      className={`quality-dot quality-${(channel.qualityRating ?? 'unknown').toLowerCase()}`}
                      aria-hidden="true"
                    />
                    {qualityLabels[channel.qualityRating ?? 'UNKNOWN'] ?? channel.qualityRating}
                  </span>
                </td>
                <td>{tierLabel(channel.messagingLimitTier)}</td>
                <td className="hide-sm">{throughputLabel(channel.throughputLevel)}</td>
                <td className="hide-sm">{formatDateTime(channel.lastSyncedAt)}</td>
                <td className="cell-actions">
                  {can('channels.manage') && channel.status !== 'disconnected' && (
                    <>
                      {channel.status === 'needs_reauth' && (
                        <button
                          type="button"
                          className="btn btn-small"
                          onClick={() => onReconnect(channel.phoneNumberId)}
                        >
                          Reconnect<span className="sr-only"> {channelLabel(channel)}</span>
                        </button>
                      )}
                      {channel.status !== 'needs_reauth' && (
                        <button
                          type="button"
                          className="btn btn-small btn-ghost"
                          disabled={sync.isPending}
                          onClick={() => sync.mutate(channel)}
                        >
                          Sync<span className="sr-only"> {channelLabel(channel)}</span>
                        </button>
                      )}
                      <button
                        type="button"
                        className="btn btn-small btn-ghost-danger"
                        onClick={() => setDisconnecting(channel)}
                      >
                        Disconnect<span className="sr-only"> {channelLabel(channel)}</span>
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        title="Disconnect this number?"
        body={
          disconnecting
            ? `${channelLabel(disconnecting)} stops sending and receiving messages here at once. Conversations and contacts stay. You can connect it again later.`
            : ''
        }
        confirmLabel="Disconnect"
        open={disconnecting !== null}
        pending={disconnect.isPending}
        error={disconnect.error ? errorMessage(disconnect.error) : null}
        onConfirm={() => disconnecting && disconnect.mutate(disconnecting)}
        onClose={() => {
          disconnect.reset();
          setDisconnecting(null);
        }}
      />
    </>
  );
}
