import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, Fragment, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, call, errorMessage } from '../api/client';
import { useWorkspace } from '../app/workspace';
import { ConfirmDialog } from '../settings/ConfirmDialog';
import { useAnnounce } from '../ui/announcer';
import { FormError, TextField } from '../ui/Field';
import { formatDateTime } from '../ui/format';
import { readForm, useFormErrors } from '../ui/forms';
import { Modal } from '../ui/Modal';
import { ErrorState, Spinner } from '../ui/states';
import { AttributesEditor, fromRows, toRows } from './AttributesEditor';
import { OptBadge } from './OptBadge';
import {
  type Contact,
  contactKey,
  contactsKey,
  type OptEvent,
  optChangeLabels,
  optSourceLabels,
  useContact,
} from './queries';
import { TagInput } from './TagInput';

/** One contact beside the list: details to edit, opt-out state with its history, conversations. */
export default function ContactDrawer({
  contactId,
  tagSuggestions,
  onClose,
}: {
  contactId: string;
  tagSuggestions: string[];
  onClose: () => void;
}) {
  const { id: workspaceId } = useWorkspace();
  const contact = useContact(workspaceId, contactId);
  const heading = useRef<HTMLHeadingElement>(null);

  // Opening moves focus into the drawer; Escape closes it (unless a dialog inside is open).
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    heading.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !document.querySelector('dialog[open]')) close.current();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const data = contact.data;
  return (
    <aside className="contact-drawer card" aria-labelledby="contact-drawer-title">
      <div className="drawer-head">
        <div>
          <h2 id="contact-drawer-title" ref={heading} tabIndex={-1}>
            {data ? (data.name ?? data.phone ?? 'Unknown') : 'Contact'}
          </h2>
          {data?.phone && <p className="muted mono small">{data.phone}</p>}
        </div>
        <button type="button" className="btn-icon" aria-label="Close contact" onClick={onClose}>
          ×
        </button>
      </div>
      {contact.isPending && <Spinner label="Loading contact…" />}
      {contact.isError && <ErrorState error={contact.error} onRetry={() => contact.refetch()} />}
      {data && <ContactDetails contact={data} tagSuggestions={tagSuggestions} onDeleted={onClose} />}
    </aside>
  );
}

function ContactDetails({
  contact,
  tagSuggestions,
  onDeleted,
}: {
  contact: Contact;
  tagSuggestions: string[];
  onDeleted: () => void;
}) {
  const { id: workspaceId, can } = useWorkspace();
  return (
    <div className="stack">
      <OptSection contact={contact} />
      {can('contacts.update') ? (
        <EditForm key={contact.updatedAt} contact={contact} tagSuggestions={tagSuggestions} />
      ) : (
        <ReadOnlyDetails contact={contact} />
      )}
      <section aria-labelledby="opt-history-title">
        <h3 id="opt-history-title">Opt-out history</h3>
        {contact.optHistory.length === 0 ? (
          <p className="muted small">No opt-out or opt-in so far.</p>
        ) : (
          <ol className="opt-history">
            {contact.optHistory.map((event) => (
              <OptHistoryItem key={event.id} event={event} />
            ))}
          </ol>
        )}
      </section>
      {contact.conversations.length > 0 && (
        <section aria-labelledby="contact-conversations-title">
          <h3 id="contact-conversations-title">Conversations</h3>
          <ul className="plain-list">
            {contact.conversations.map((conversation) => (
              <li key={conversation.id}>
                <Link to={`/w/${workspaceId}/inbox/${conversation.id}`}>Open conversation</Link>{' '}
                <span className="badge">{conversation.status}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
      {can('contacts.delete') && <DeleteContact contact={contact} onDeleted={onDeleted} />}
    </div>
  );
}

function OptSection({ contact }: { contact: Contact }) {
  const { can } = useWorkspace();
  const [changing, setChanging] = useState<'opt_out' | 'opt_in' | null>(null);
  return (
    <section className="opt-state" aria-labelledby="opt-state-title">
      <div>
        <h3 id="opt-state-title">Messaging</h3>
        <p className="opt-state-line">
          <OptBadge contact={contact} />
          <span className="muted small">
            {contact.optedOutAt
              ? `since ${formatDateTime(contact.optedOutAt)} — no messages can be sent`
              : contact.marketingOptedOutAt
                ? `stopped marketing on ${formatDateTime(contact.marketingOptedOutAt)}`
                : 'can receive messages'}
          </span>
        </p>
      </div>
      {can('contacts.update') && (
        <button
          type="button"
          className={contact.optedOutAt ? 'btn btn-small' : 'btn btn-small btn-ghost-danger'}
          onClick={() => setChanging(contact.optedOutAt ? 'opt_in' : 'opt_out')}
        >
          {contact.optedOutAt ? 'Opt back in…' : 'Opt out…'}
        </button>
      )}
      <OptChangeDialog contact={contact} change={changing} onClose={() => setChanging(null)} />
    </section>
  );
}

function OptChangeDialog({
  contact,
  change,
  onClose,
}: {
  contact: Contact;
  change: 'opt_out' | 'opt_in' | null;
  onClose: () => void;
}) {
  const { id: workspaceId } = useWorkspace();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const form = useFormErrors(['reason']);
  const mutation = useMutation({
    mutationFn: ({ to, reason }: { to: 'opt_out' | 'opt_in'; reason: string }) =>
      call(
        api.POST(
          to === 'opt_out'
            ? '/api/v1/workspaces/{workspaceId}/contacts/{contactId}/opt-out'
            : '/api/v1/workspaces/{workspaceId}/contacts/{contactId}/opt-in',
          { params: { path: { workspaceId, contactId: contact.id } }, body: { reason } },
        ),
      ),
    onSuccess: async (updated, { to }) => {
      queryClient.setQueryData(contactKey(workspaceId, contact.id), updated);
      await queryClient.invalidateQueries({ queryKey: contactsKey(workspaceId) });
      announce(to === 'opt_out' ? 'Contact opted out' : 'Contact opted back in');
      close();
    },
    onError: form.fail,
  });

  function close() {
    form.clear();
    mutation.reset();
    onClose();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!change) return;
    const reason = readForm(event.currentTarget).reason ?? '';
    if (reason.length < 3) return form.invalid({ reason: 'say why, in a few words' });
    form.clear();
    mutation.mutate({ to: change, reason });
  }

  const optingOut = change === 'opt_out';
  return (
    <Modal
      title={optingOut ? 'Opt this contact out?' : 'Opt this contact back in?'}
      open={change !== null}
      onClose={close}
    >
      <form onSubmit={submit} noValidate className="stack">
        <FormError message={form.errors.message} />
        <p>
          {optingOut
            ? 'No messages can be sent to them until they opt in again, e.g. by replying START.'
            : 'Only with their consent: WhatsApp requires that people who asked to stop get no more messages.'}
        </p>
        <TextField
          label="Reason"
          name="reason"
          autoFocus
          autoComplete="off"
          placeholder={optingOut ? 'e.g. asked by phone' : 'e.g. signed up again at the counter'}
          hint="Kept in the contact's opt-out history."
          error={form.errors.fields.reason}
        />
        <div className="modal-actions">
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button
            type="submit"
            className={optingOut ? 'btn btn-danger' : 'btn btn-primary'}
            disabled={mutation.isPending}
          >
            {mutation.isPending ? 'Saving…' : optingOut ? 'Opt out' : 'Opt in'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function EditForm({ contact, tagSuggestions }: { contact: Contact; tagSuggestions: string[] }) {
  const { id: workspaceId } = useWorkspace();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const form = useFormErrors(['name', 'email', 'tags', 'attributes']);
  const [tags, setTags] = useState(contact.tags);
  const [rows, setRows] = useState(() => toRows(contact.attributes));
  const save = useMutation({
    mutationFn: (body: {
      name: string | null;
      email: string | null;
      tags: string[];
      attributes: Record<string, string>;
    }) =>
      call(
        api.PATCH('/api/v1/workspaces/{workspaceId}/contacts/{contactId}', {
          params: { path: { workspaceId, contactId: contact.id } },
          body,
        }),
      ),
    onSuccess: async (updated) => {
      queryClient.setQueryData(contactKey(workspaceId, contact.id), updated);
      await queryClient.invalidateQueries({ queryKey: contactsKey(workspaceId) });
      announce('Contact saved');
    },
    onError: form.fail,
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readForm(event.currentTarget);
    form.clear();
    save.mutate({ name: values.name || null, email: values.email || null, tags, attributes: fromRows(rows) });
  }

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label="Edit contact">
      <FormError message={form.errors.message} />
      <TextField
        label="Name"
        name="name"
        defaultValue={contact.customName ?? ''}
        placeholder={contact.profileName ?? ''}
        hint={contact.profileName ? `WhatsApp name: ${contact.profileName}` : undefined}
        error={form.errors.fields.name}
      />
      <TextField
        label="Email"
        name="email"
        type="email"
        defaultValue={contact.email ?? ''}
        error={form.errors.fields.email}
      />
      <TagInput
        label="Tags"
        values={tags}
        onChange={setTags}
        suggestions={tagSuggestions}
        error={form.errors.fields.tags}
      />
      <AttributesEditor rows={rows} onChange={setRows} error={form.errors.fields.attributes} />
      <div>
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save changes'}
        </button>
      </div>
    </form>
  );
}

function ReadOnlyDetails({ contact }: { contact: Contact }) {
  const attributes = Object.entries(contact.attributes);
  return (
    <dl className="kv">
      <dt>WhatsApp name</dt>
      <dd>{contact.profileName ?? '—'}</dd>
      <dt>Email</dt>
      <dd>{contact.email ?? '—'}</dd>
      <dt>Tags</dt>
      <dd>{contact.tags.length > 0 ? contact.tags.join(', ') : '—'}</dd>
      {attributes.map(([key, value]) => (
        <Fragment key={key}>
          <dt>{key}</dt>
          <dd>{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

function OptHistoryItem({ event }: { event: OptEvent }) {
  return (
    <li>
      <div className="opt-history-head">
        <strong>{optChangeLabels[event.change]}</strong>
        <span className="muted small">{formatDateTime(event.occurredAt)}</span>
      </div>
      <div className="small">
        {optSourceLabels[event.source]}
        {event.actor?.label ? ` · ${event.actor.label}` : ''}
        {event.detail ? ` · “${event.detail}”` : ''}
      </div>
    </li>
  );
}

function DeleteContact({ contact, onDeleted }: { contact: Contact; onDeleted: () => void }) {
  const { id: workspaceId } = useWorkspace();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () =>
      call(
        api.DELETE('/api/v1/workspaces/{workspaceId}/contacts/{contactId}', {
          params: { path: { workspaceId, contactId: contact.id } },
        }),
      ),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: contactsKey(workspaceId) });
      announce('Contact deleted');
      setConfirming(false);
      onDeleted();
    },
  });
  return (
    <div className="drawer-foot">
      <button type="button" className="btn btn-small btn-ghost-danger" onClick={() => setConfirming(true)}>
        Delete contact
      </button>
      <ConfirmDialog
        title="Delete this contact?"
        body={
          contact.conversations.length > 0 || contact.optHistory.length > 0
            ? 'It disappears from contacts; its conversations and opt-out record are kept. It comes back if they write again.'
            : 'The contact and its details are erased.'
        }
        confirmLabel="Delete contact"
        open={confirming}
        pending={remove.isPending}
        error={remove.error ? errorMessage(remove.error) : null}
        onConfirm={() => remove.mutate()}
        onClose={() => {
          remove.reset();
          setConfirming(false);
        }}
      />
    </div>
  );
}
