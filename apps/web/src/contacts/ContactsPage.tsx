import { type FormEvent, lazy, Suspense, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useWorkspace } from '../app/workspace';
import { DataTable } from '../ui/DataTable';
import { SelectField, TextField } from '../ui/Field';
import { formatDateTime } from '../ui/format';
import { readForm } from '../ui/forms';
import { EmptyState, PagedListFoot, PageHeader, QueryState, Spinner } from '../ui/states';
import { CreateContactDialog } from './CreateContactDialog';
import { OptBadge } from './OptBadge';
import {
  type ContactFilters,
  type ContactSummary,
  exportHref,
  useContactList,
  useContactTags,
} from './queries';
import './contacts.css';

const ContactDrawer = lazy(() => import('./ContactDrawer'));

const FILTER_KEYS = ['q', 'tag', 'optState', 'sort'] as const;
const optStates = ['subscribed', 'opted_out', 'marketing_opted_out'] as const;
const sorts = ['created', 'name', 'last_inbound'] as const;

function filtersFrom(params: URLSearchParams): ContactFilters {
  const filters: ContactFilters = {};
  const q = params.get('q');
  const tag = params.get('tag');
  const optState = params.get('optState');
  const sort = params.get('sort');
  if (q) filters.q = q;
  if (tag) filters.tag = tag;
  if (optStates.some((s) => s === optState)) filters.optState = optState as ContactFilters['optState'];
  if (sorts.some((s) => s === sort)) filters.sort = sort as ContactFilters['sort'];
  return filters;
}

/** Contacts: search, filters and pages on the left; the chosen contact opens in a drawer (URL `/contacts/:id`). */
export default function ContactsPage() {
  const { id: workspaceId, can } = useWorkspace();
  const { contactId } = useParams();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filters = filtersFrom(params);
  const list = useContactList(workspaceId, filters);
  const tags = useContactTags(workspaceId);
  const [creating, setCreating] = useState(false);
  const contacts = list.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = Boolean(filters.q || filters.tag || filters.optState);
  const search = params.size > 0 ? `?${params}` : '';
  const tagNames = tags.data?.items.map((item) => item.tag) ?? [];
  const home = `/w/${workspaceId}/contacts`;

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readForm(event.currentTarget);
    setParams(
      new URLSearchParams(
        FILTER_KEYS.flatMap((key) => (values[key] ? [[key, values[key]] as [string, string]] : [])),
      ),
    );
  }

  return (
    <div className="contacts-layout" data-drawer={contactId ? 'open' : 'closed'}>
      <div className="contacts-main">
        <PageHeader title="Contacts">
          {can('contacts.export') && (
            <a className="btn" href={exportHref(workspaceId, filters)} download>
              Export CSV
            </a>
          )}
          {can('contacts.create') && (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              Add contact
            </button>
          )}
        </PageHeader>
        {/* `key` resets the uncontrolled inputs whenever the applied filters change (e.g. "Clear"). */}
        <form
          key={JSON.stringify(filters)}
          className="filters card"
          aria-label="Search contacts"
          onSubmit={apply}
        >
          <TextField
            label="Search"
            name="q"
            type="search"
            placeholder="Name, email or +91…"
            defaultValue={filters.q}
          />
          <SelectField label="Tag" name="tag" defaultValue={filters.tag ?? ''}>
            <option value="">Any tag</option>
            {tagNames.map((tag) => (
              <option key={tag} value={tag}>
                {tag}
              </option>
            ))}
          </SelectField>
          <SelectField label="Opt-out" name="optState" defaultValue={filters.optState ?? ''}>
            <option value="">Everyone</option>
            <option value="subscribed">Subscribed</option>
            <option value="opted_out">Opted out</option>
            <option value="marketing_opted_out">Stopped marketing</option>
          </SelectField>
          <SelectField label="Sort" name="sort" defaultValue={filters.sort ?? 'created'}>
            <option value="created">Newest first</option>
            <option value="name">Name A–Z</option>
            <option value="last_inbound">Last message</option>
          </SelectField>
          <div className="filters-actions">
            <button type="submit" className="btn btn-primary">
              Search
            </button>
            <button
              type="button"
              className="btn btn-ghost"
              onClick={() => setParams(new URLSearchParams())}
              disabled={params.size === 0}
            >
              Clear
            </button>
          </div>
        </form>
        <section className="card card-flush" aria-label="Contacts" aria-busy={list.isFetching}>
          <QueryState
            query={list}
            loading="Loading contacts…"
            isEmpty={() => contacts.length === 0}
            empty={
              <EmptyState title={filtered ? 'No contact matches' : 'No contacts yet'}>
                {filtered
                  ? 'Try another search or clear the filters.'
                  : 'Customers who write to your WhatsApp numbers show up here, or add one yourself.'}
              </EmptyState>
            }
          >
            {() => (
              <ContactTable
                contacts={contacts}
                selected={contactId}
                linkTo={(id) => `${home}/${id}${search}`}
              />
            )}
          </QueryState>
          <PagedListFoot query={list} more="Load more" shown={`${contacts.length} contacts shown`} />
        </section>
      </div>
      {contactId && (
        <Suspense fallback={<Spinner />}>
          <ContactDrawer
            key={contactId}
            contactId={contactId}
            tagSuggestions={tagNames}
            onClose={() => navigate(`${home}${search}`)}
          />
        </Suspense>
      )}
      <CreateContactDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(contact) => navigate(`${home}/${contact.id}${search}`)}
        tagSuggestions={tagNames}
      />
    </div>
  );
}

function ContactTable({
  contacts,
  selected,
  linkTo,
}: {
  contacts: ContactSummary[];
  selected: string | undefined;
  linkTo: (contactId: string) => string;
}) {
  return (
    <DataTable
      rows={contacts}
      rowProps={(contact) => ({ 'aria-current': contact.id === selected ? 'true' : undefined })}
      columns={[
        {
          header: 'Name',
          cell: (contact) => (
            <>
              <Link className="cell-primary contact-link" to={linkTo(contact.id)}>
                {contact.name ?? contact.phone ?? 'Unknown'}
              </Link>
              {contact.email && <div className="cell-secondary">{contact.email}</div>}
            </>
          ),
        },
        { header: 'Phone', className: 'nowrap mono', cell: (contact) => contact.phone ?? '—' },
        {
          header: 'Tags',
          hideSm: true,
          cell: (contact) => (
            <span className="tag-list">
              {contact.tags.map((tag) => (
                <span key={tag} className="badge">
                  {tag}
                </span>
              ))}
            </span>
          ),
        },
        { header: 'Status', cell: (contact) => <OptBadge contact={contact} /> },
        {
          header: 'Last message',
          hideSm: true,
          className: 'nowrap',
          cell: (contact) => formatDateTime(contact.lastInboundAt),
        },
      ]}
    />
  );
}
