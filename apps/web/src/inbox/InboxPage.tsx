import { useCallback, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../api/client';
import { useWorkspace } from '../app/workspace';
import { EmptyState, ErrorState, Spinner } from '../ui/states';
import { ContactPanel } from './ContactPanel';
import { ConversationList } from './ConversationList';
import { useConversation } from './queries';
import { useRealtime } from './realtime';
import { Thread } from './Thread';
import { filtersFrom, type InboxFilters } from './types';
import './inbox.css';

const POLL_WITHOUT_STREAM_MS = 10_000;

/**
 * Three panes: conversations, the open conversation, its contact. On a phone one pane shows at a
 * time (`data-pane`); the URL carries the open conversation and the list's filters.
 */
export default function InboxPage() {
  const { id: ws } = useWorkspace();
  const { conversationId } = useParams();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const filters = filtersFrom(params);
  const live = useRealtime(ws);
  const poll = live === 'live' ? false : POLL_WITHOUT_STREAM_MS;
  const [contactOpen, setContactOpen] = useState(false);

  const setFilters = useCallback(
    (next: InboxFilters) => {
      const search = new URLSearchParams();
      for (const [k, v] of Object.entries(next))
        if (v !== undefined && !(k === 'assignee' && v === 'anyone')) search.set(k, String(v));
      setParams(search, { replace: true });
    },
    [setParams],
  );
  const open = (id: string) => {
    setContactOpen(false);
    navigate({ pathname: `/w/${ws}/inbox/${id}`, search: params.toString() });
  };
  const back = () => navigate({ pathname: `/w/${ws}/inbox`, search: params.toString() });

  const pane = !conversationId ? 'list' : contactOpen ? 'contact' : 'thread';
  return (
    <div className="inbox" data-pane={pane}>
      <h1 className="sr-only">Inbox</h1>
      <p className={`live-state live-${live}`} role="status">
        {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Offline: refreshing every 10 s'}
      </p>
      <ConversationList
        filters={filters}
        onFilters={setFilters}
        selectedId={conversationId}
        onOpen={open}
        poll={poll}
      />
      {conversationId ? (
        <OpenConversation
          key={conversationId}
          id={conversationId}
          poll={poll}
          onBack={back}
          contactOpen={contactOpen}
          onContact={setContactOpen}
        />
      ) : (
        <div className="inbox-thread inbox-placeholder">
          <EmptyState title="Pick a conversation">
            Use <kbd>j</kbd>/<kbd>k</kbd> or the arrow keys to move through the list and <kbd>Enter</kbd> to
            open.
          </EmptyState>
        </div>
      )}
    </div>
  );
}

function OpenConversation({
  id,
  poll,
  onBack,
  contactOpen,
  onContact,
}: {
  id: string;
  poll: number | false;
  onBack: () => void;
  contactOpen: boolean;
  onContact: (open: boolean) => void;
}) {
  const { id: ws } = useWorkspace();
  const conversation = useConversation(ws, id, poll);
  if (conversation.isPending) {
    return (
      <div className="inbox-thread">
        <Spinner label="Loading conversation…" />
      </div>
    );
  }
  if (conversation.isError) {
    const gone = conversation.error instanceof ApiError && conversation.error.status === 404;
    return (
      <div className="inbox-thread">
        {gone ? (
          <EmptyState title="Conversation not found">It does not exist or is not assigned to you.</EmptyState>
        ) : (
          <ErrorState error={conversation.error} onRetry={() => conversation.refetch()} />
        )}
      </div>
    );
  }
  return (
    <>
      <Thread
        conversation={conversation.data}
        onBack={onBack}
        onContact={() => onContact(!contactOpen)}
        poll={poll}
      />
      <ContactPanel conversation={conversation.data} onClose={() => onContact(false)} />
    </>
  );
}
