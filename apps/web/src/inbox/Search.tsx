import { Fragment, type ReactNode } from 'react';
import { useWorkspace } from '../app/workspace';
import { ErrorState, Spinner } from '../ui/states';
import { contactName, shortWhen } from './format';
import { type SearchType, useSearch } from './queries';
import type { ContactHit, MessageHit } from './types';

/** The server marks matches as «word»; they become <mark>, never HTML. */
function highlighted(snippet: string): ReactNode[] {
  return snippet.split(/«([^»]*)»/).map((part, i) =>
    // biome-ignore lint/suspicious/noArrayIndexKey: parts of one string, in order
    i % 2 === 1 ? <mark key={i}>{part}</mark> : <Fragment key={i}>{part}</Fragment>,
  );
}

/**
 * Contacts and messages matching the search box, within what the caller may see (the server applies
 * conversation visibility); a hit opens its conversation.
 */
export function SearchResults({ term, onOpen }: { term: string; onOpen: (conversationId: string) => void }) {
  return (
    <section className="search-results" aria-label={`Search results for ${term}`}>
      <HitSection type="contacts" title="Contacts" term={term} onOpen={onOpen} />
      <HitSection type="messages" title="Messages" term={term} onOpen={onOpen} />
    </section>
  );
}

function HitSection({
  type,
  title,
  term,
  onOpen,
}: {
  type: SearchType;
  title: string;
  term: string;
  onOpen: (conversationId: string) => void;
}) {
  const { id: ws } = useWorkspace();
  const search = useSearch(ws, type, term);
  const hits = search.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="search-section" aria-label={title}>
      <h3>{title}</h3>
      {search.isPending && <Spinner label={`Searching ${title.toLowerCase()}…`} />}
      {search.isError && <ErrorState error={search.error} onRetry={() => search.refetch()} />}
      {search.isSuccess && hits.length === 0 && (
        <p className="muted small">No {title.toLowerCase()} match.</p>
      )}
      {hits.length > 0 && (
        <ul className="search-hits">
          {hits.map((hit) =>
            'messageId' in hit ? (
              <MessageRow key={hit.messageId} hit={hit} onOpen={onOpen} />
            ) : (
              <ContactRow key={hit.contactId} hit={hit} onOpen={onOpen} />
            ),
          )}
        </ul>
      )}
      {search.hasNextPage && (
        <button
          type="button"
          className="btn btn-small btn-ghost"
          onClick={() => search.fetchNextPage()}
          disabled={search.isFetchingNextPage}
        >
          {search.isFetchingNextPage ? 'Loading…' : `More ${title.toLowerCase()}`}
        </button>
      )}
    </section>
  );
}

function MessageRow({ hit, onOpen }: { hit: MessageHit; onOpen: (conversationId: string) => void }) {
  return (
    <li>
      <button type="button" className="search-hit" onClick={() => onOpen(hit.conversationId)}>
        <span className="conv-top">
          <span className="conv-name">{contactName(hit.contact)}</span>
          <time className="conv-when" dateTime={hit.createdAt}>
            {shortWhen(hit.createdAt)}
          </time>
        </span>
        <span className="search-snippet">{highlighted(hit.snippet)}</span>
      </button>
    </li>
  );
}

function ContactRow({ hit, onOpen }: { hit: ContactHit; onOpen: (conversationId: string) => void }) {
  const conversationId = hit.conversationId;
  return (
    <li>
      <button
        type="button"
        className="search-hit"
        disabled={!conversationId}
        onClick={() => conversationId && onOpen(conversationId)}
        title={conversationId ? undefined : 'No conversation with this contact that you can open'}
      >
        <span className="conv-name">{contactName(hit)}</span>
        <span className="muted small">{hit.phone}</span>
      </button>
    </li>
  );
}
