import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { api, call, errorMessage } from '../api/client';
import type { components } from '../api/schema';
import { useWorkspace } from '../app/workspace';
import { useAnnounce } from '../ui/announcer';
import { FormError, TextField } from '../ui/Field';
import { missing, readForm, useFormErrors } from '../ui/forms';
import { Modal } from '../ui/Modal';
import { EmptyState, ErrorState, Spinner } from '../ui/states';
import { ConfirmDialog } from './ConfirmDialog';
import '../contacts/contacts.css';

type QuickReply = components['schemas']['QuickReply'];
const quickRepliesKey = (workspaceId: string) => ['quick-replies', workspaceId] as const;

/** Settings → Quick replies: canned answers agents insert with `/shortcut` in the composer. */
export default function QuickRepliesPage() {
  const { id: workspaceId, can } = useWorkspace();
  const editable = can('workspace.update');
  const replies = useQuery({
    queryKey: quickRepliesKey(workspaceId),
    queryFn: () =>
      call(api.GET('/api/v1/workspaces/{workspaceId}/quick-replies', { params: { path: { workspaceId } } })),
  });
  // `null`: the dialog is closed; `'new'`: creating; a reply: editing it.
  const [editing, setEditing] = useState<QuickReply | 'new' | null>(null);
  const [removing, setRemoving] = useState<QuickReply | null>(null);

  return (
    <section className="card" aria-labelledby="quick-replies-title">
      <div className="card-head">
        <div>
          <h2 id="quick-replies-title">Quick replies</h2>
          <p className="muted small">
            Type <code className="mono">/</code> and the shortcut in the inbox to insert one. Variables such
            as <code className="mono">{'{{contact.name}}'}</code> are filled in when it is inserted.
          </p>
        </div>
        {editable && (
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
            New quick reply
          </button>
        )}
      </div>
      {replies.isPending && <Spinner label="Loading quick replies…" />}
      {replies.isError && <ErrorState error={replies.error} onRetry={() => replies.refetch()} />}
      {replies.data &&
        (replies.data.items.length === 0 ? (
          <EmptyState title="No quick replies yet">
            {editable ? 'Save the answers your team types most often.' : null}
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Shortcut</th>
                  <th scope="col">Text</th>
                  {editable && (
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {replies.data.items.map((reply) => (
                  <tr key={reply.id}>
                    <td className="nowrap mono">/{reply.shortcut}</td>
                    <td className="pre-wrap">{reply.body}</td>
                    {editable && (
                      <td className="cell-actions nowrap">
                        <button
                          type="button"
                          className="btn btn-small btn-ghost"
                          onClick={() => setEditing(reply)}
                        >
                          Edit<span className="sr-only"> /{reply.shortcut}</span>
                        </button>
                        <button
                          type="button"
                          className="btn btn-small btn-ghost-danger"
                          onClick={() => setRemoving(reply)}
                        >
                          Delete<span className="sr-only"> /{reply.shortcut}</span>
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <QuickReplyDialog editing={editing} onClose={() => setEditing(null)} />
      <DeleteQuickReply reply={removing} onClose={() => setRemoving(null)} />
    </section>
  );
}

function QuickReplyDialog({ editing, onClose }: { editing: QuickReply | 'new' | null; onClose: () => void }) {
  const { id: workspaceId } = useWorkspace();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const form = useFormErrors(['shortcut', 'body']);
  const bodyId = useId();
  const existing = editing === 'new' ? null : editing;
  const save = useMutation({
    mutationFn: (body: { shortcut: string; body: string }) =>
      call(
        existing
          ? api.PATCH('/api/v1/workspaces/{workspaceId}/quick-replies/{quickReplyId}', {
              params: { path: { workspaceId, quickReplyId: existing.id } },
              body,
            })
          : api.POST('/api/v1/workspaces/{workspaceId}/quick-replies', {
              params: { path: { workspaceId } },
              body,
            }),
      ),
    onSuccess: async (reply) => {
      await queryClient.invalidateQueries({ queryKey: quickRepliesKey(workspaceId) });
      announce(`Quick reply /${reply.shortcut} saved`);
      close();
    },
    onError: form.fail,
  });

  function close() {
    form.clear();
    save.reset();
    onClose();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readForm(event.currentTarget);
    const empty = missing(values, ['shortcut', 'body']);
    if (Object.keys(empty).length > 0) return form.invalid(empty);
    form.clear();
    save.mutate({ shortcut: (values.shortcut ?? '').replace(/^\//, ''), body: values.body ?? '' });
  }

  return (
    <Modal title={existing ? 'Edit quick reply' : 'New quick reply'} open={editing !== null} onClose={close}>
      <form onSubmit={submit} noValidate className="stack">
        <FormError message={form.errors.message} />
        <TextField
          label="Shortcut"
          name="shortcut"
          autoComplete="off"
          autoFocus
          placeholder="e.g. thanks"
          defaultValue={existing?.shortcut ?? ''}
          error={form.errors.fields.shortcut}
        />
        <div className="field">
          <label htmlFor={bodyId}>Text</label>
          <textarea
            id={bodyId}
            name="body"
            className="textarea"
            defaultValue={existing?.body ?? ''}
            placeholder="Hi {{contact.name}}, thanks for your order!"
            aria-invalid={form.errors.fields.body ? true : undefined}
          />
          {form.errors.fields.body && <p className="field-error">{form.errors.fields.body}</p>}
        </div>
        <div className="modal-actions">
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function DeleteQuickReply({ reply, onClose }: { reply: QuickReply | null; onClose: () => void }) {
  const { id: workspaceId } = useWorkspace();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const remove = useMutation({
    mutationFn: (target: QuickReply) =>
      call(
        api.DELETE('/api/v1/workspaces/{workspaceId}/quick-replies/{quickReplyId}', {
          params: { path: { workspaceId, quickReplyId: target.id } },
        }),
      ),
    onSuccess: async (_done, target) => {
      await queryClient.invalidateQueries({ queryKey: quickRepliesKey(workspaceId) });
      announce(`Quick reply /${target.shortcut} deleted`);
      onClose();
    },
  });
  return (
    <ConfirmDialog
      title="Delete quick reply?"
      body={reply ? `/${reply.shortcut} will no longer be offered in the composer.` : ''}
      confirmLabel="Delete"
      open={reply !== null}
      pending={remove.isPending}
      error={remove.error ? errorMessage(remove.error) : null}
      onConfirm={() => reply && remove.mutate(reply)}
      onClose={() => {
        remove.reset();
        onClose();
      }}
    />
  );
}
