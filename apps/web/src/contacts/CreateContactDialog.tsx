import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, call } from '../api/client';
import { useWorkspace } from '../app/workspace';
import { useAnnounce } from '../ui/announcer';
import { FormError, TextField } from '../ui/Field';
import { missing, readForm, useFormErrors } from '../ui/forms';
import { Modal } from '../ui/Modal';
import { type Contact, contactsKey } from './queries';
import { TagInput } from './TagInput';

export function CreateContactDialog({
  open,
  onClose,
  onCreated,
  tagSuggestions,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (contact: Contact) => void;
  tagSuggestions: string[];
}) {
  const { id: workspaceId } = useWorkspace();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const form = useFormErrors(['phone', 'name', 'email', 'tags']);
  const [tags, setTags] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: (body: { phone: string; name?: string; email?: string; tags: string[] }) =>
      call(
        api.POST('/api/v1/workspaces/{workspaceId}/contacts', { params: { path: { workspaceId } }, body }),
      ),
    onSuccess: async (contact) => {
      await queryClient.invalidateQueries({ queryKey: contactsKey(workspaceId) });
      announce(`${contact.name ?? contact.phone} added`);
      close();
      onCreated(contact);
    },
    onError: form.fail,
  });

  function close() {
    form.clear();
    create.reset();
    setTags([]);
    onClose();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readForm(event.currentTarget);
    const empty = missing(values, ['phone']);
    if (Object.keys(empty).length > 0) return form.invalid(empty);
    form.clear();
    create.mutate({
      phone: values.phone ?? '',
      ...(values.name ? { name: values.name } : {}),
      ...(values.email ? { email: values.email } : {}),
      tags,
    });
  }

  return (
    <Modal title="Add a contact" open={open} onClose={close}>
      <form onSubmit={submit} noValidate className="stack">
        <FormError message={form.errors.message} />
        <TextField
          label="Phone number"
          name="phone"
          type="tel"
          autoComplete="off"
          autoFocus
          placeholder="+91 98765 43210"
          hint="With the country code."
          error={form.errors.fields.phone}
        />
        <TextField label="Name" name="name" autoComplete="off" error={form.errors.fields.name} />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="off"
          error={form.errors.fields.email}
        />
        <TagInput label="Tags" values={tags} onChange={setTags} suggestions={tagSuggestions} />
        <div className="modal-actions">
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>
            {create.isPending ? 'Adding…' : 'Add contact'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
