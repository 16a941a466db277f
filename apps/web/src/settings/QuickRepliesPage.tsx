import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { api, call } from '../api/client';
import type { components } from '../api/schema';
import { useWorkspace } from '../app/workspace';
import { useAnnounce } from '../ui/announcer';
import { useConfirmedAction } from '../ui/confirm';
import { DataTable, RowAction } from '../ui/DataTable';
import { FormError, TextField } from '../ui/Field';
import { missing, readForm, useFormErrors } from '../ui/forms';
import { Modal } from '../ui/Modal';
import { EmptyState, QueryState } from '../ui/states';
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
  const removal = useConfirmedAction({
    action: (reply: QuickReply) =>
      call(
        api.DELETE('/api/v1/workspaces/{workspaceId}/quick-replies/{quickReplyId}', {
          params: { path: { workspaceId, quickReplyId: reply.id } },
        }),
      ),
    queryKey: quickRepliesKey(workspaceId),
    done: (reply) => `Quick reply /${reply.shortcut} deleted`,
  });

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
      <QueryState
        query={replies}
        loading="Loading quick replies…"
        isEmpty={(data) => data.items.length === 0}
        empty={
          <EmptyState title="No quick replies yet">
            {editable ? 'Save the answers your team types most often.' : null}
          </EmptyState>
        }
      >
        {(data) => (
          <DataTable
            rows={data.items}
            columns={[
              { header: 'Shortcut', className: 'nowrap mono', cell: (reply) => `/${reply.shortcut}` },
              { header: 'Text', className: 'pre-wrap', cell: (reply) => reply.body },
            ]}
            actions={
              editable
                ? (reply) => (
                    <>
                      <RowAction
                        tone="ghost"
                        label="Edit"
                        subject={`/${reply.shortcut}`}
                        onClick={() => setEditing(reply)}
                      />
                      <RowAction
                        tone="danger"
                        label="Delete"
                        subject={`/${reply.shortcut}`}
                        onClick={() => removal.ask(reply)}
                      />
                    </>
                  )
                : undefined
            }
          />
        )}
      </QueryState>
      <QuickReplyDialog editing={editing} onClose={() => setEditing(null)} />
      <ConfirmDialog
        title="Delete quick reply?"
        body={removal.target ? `/${removal.target.shortcut} will no longer be offered in the composer.` : ''}
        confirmLabel="Delete"
        {...removal.dialog}
      />
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
