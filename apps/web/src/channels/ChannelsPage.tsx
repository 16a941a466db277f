import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call, errorMessage } from '../api/client';
import { useWorkspace } from '../app/workspace';
import { ConfirmDialog } from '../settings/ConfirmDialog';
import { useAnnounce } from '../ui/announcer';
import { useConfirmedAction } from '../ui/confirm';
import { DataTable, RowAction } from '../ui/DataTable';
import { formatDateTime } from '../ui/format';
import { EmptyState, PageHeader, QueryState } from '../ui/states';
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
        <QueryState
          query={channels}
          loading="Loading channels…"
          isEmpty={() => items.length === 0}
          empty={
            <EmptyState title="No WhatsApp number connected yet">
              {can('channels.manage')
                ? 'Connect one through Meta’s sign-up to start receiving messages.'
                : 'An Owner or Manager can connect one.'}
            </EmptyState>
          }
        >
          {() => <ChannelTable channels={items} onReconnect={(reconnect) => setConnecting({ reconnect })} />}
        </QueryState>
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
  const path = (channel: Channel) => ({ params: { path: { workspaceId, channelId: channel.id } } });
  const sync = useMutation({
    mutationFn: (channel: Channel) =>
      call(api.POST('/api/v1/workspaces/{workspaceId}/channels/{channelId}/sync', path(channel))),
    onSuccess: (channel) => announce(`${channelLabel(channel)} refreshed from Meta`),
    onError: (error) => announce(errorMessage(error), 'error'),
    onSettled: () => queryClient.invalidateQueries({ queryKey: channelsKey(workspaceId) }),
  });
  const disconnection = useConfirmedAction({
    action: (channel: Channel) =>
      call(api.POST('/api/v1/workspaces/{workspaceId}/channels/{channelId}/disconnect', path(channel))),
    queryKey: channelsKey(workspaceId),
    done: (_channel, disconnected) => `${channelLabel(disconnected)} was disconnected`,
  });

  return (
    <>
      <DataTable
        rows={channels}
        className="channels-table"
        rowProps={(channel) => ({ className: channel.status === 'needs_reauth' ? 'row-alert' : undefined })}
        columns={[
          {
            header: 'Number',
            cell: (channel) => (
              <>
                <div className="cell-primary">{channel.displayPhoneNumber ?? channel.phoneNumberId}</div>
                <div className="cell-secondary">
                  {channel.verifiedName ?? 'Name pending'} · WABA {channel.wabaExternalId}
                </div>
                {channel.lastError && channel.status !== 'connected' && (
                  <div className="cell-error">{channel.lastError.message}</div>
                )}
              </>
            ),
          },
          {
            header: 'Status',
            cell: (channel) => (
              <span className={`badge ${STATUS_TONE[channel.status]}`}>{statusLabels[channel.status]}</span>
            ),
          },
          {
            header: 'Quality',
            cell: (channel) => (
              <span className="quality">
                <span
                  className={`quality-dot quality-${(channel.qualityRating ?? 'unknown').toLowerCase()}`}
                  aria-hidden="true"
                />
                {qualityLabels[channel.qualityRating ?? 'UNKNOWN'] ?? channel.qualityRating}
              </span>
            ),
          },
          { header: 'Messaging limit', cell: (channel) => tierLabel(channel.messagingLimitTier) },
          { header: 'Throughput', hideSm: true, cell: (channel) => throughputLabel(channel.throughputLevel) },
          { header: 'Last synced', hideSm: true, cell: (channel) => formatDateTime(channel.lastSyncedAt) },
        ]}
        actions={(channel) =>
          can('channels.manage') &&
          channel.status !== 'disconnected' && (
            <>
              {channel.status === 'needs_reauth' && (
                <RowAction
                  label="Reconnect"
                  subject={channelLabel(channel)}
                  onClick={() => onReconnect(channel.phoneNumberId)}
                />
              )}
              {channel.status !== 'needs_reauth' && (
                <RowAction
                  tone="ghost"
                  label="Sync"
                  subject={channelLabel(channel)}
                  disabled={sync.isPending}
                  onClick={() => sync.mutate(channel)}
                />
              )}
              <RowAction
                tone="danger"
                label="Disconnect"
                subject={channelLabel(channel)}
                onClick={() => disconnection.ask(channel)}
              />
            </>
          )
        }
      />
      <ConfirmDialog
        title="Disconnect this number?"
        body={
          disconnection.target
            ? `${channelLabel(disconnection.target)} stops sending and receiving messages here at once. Conversations and contacts stay. You can connect it again later.`
            : ''
        }
        confirmLabel="Disconnect"
        {...disconnection.dialog}
      />
    </>
  );
}
