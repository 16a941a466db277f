import { FormError } from '../ui/Field';
import { Modal } from '../ui/Modal';

/** "Are you sure?" for destructive actions, with the server's refusal shown in place. */
export function ConfirmDialog({
  title,
  body,
  confirmLabel,
  open,
  pending,
  error,
  onConfirm,
  onClose,
}: {
  title: string;
  body: string;
  confirmLabel: string;
  open: boolean;
  pending: boolean;
  error: string | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Modal title={title} open={open} onClose={onClose}>
      <div className="stack">
        <p>{body}</p>
        <FormError message={error} />
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-danger" onClick={onConfirm} disabled={pending}>
            {pending ? 'Working…' : confirmLabel}
          </button>
        </div>
      </div>
    </Modal>
  );
}
