import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { api, call } from '../api/client';
import { useWorkspace } from '../app/workspace';
import { useAnnounce } from '../ui/announcer';
import { FormError, SelectField } from '../ui/Field';
import { formatDateTime } from '../ui/format';
import { missing, readForm, useFormErrors } from '../ui/forms';
import { Modal } from '../ui/Modal';
import { EmptyState, ErrorState, Spinner } from '../ui/states';
import { basisPoints, reasonLabels } from './labels';
import { billingKey, type GovernanceFlag, useFlags } from './queries';

const count = (n: number | undefined, noun: string) => `${n ?? 0} ${noun}${n === 1 ? '' : 's'}`;

/** What crossed the threshold, in words: "3 opt-outs in 60 sends (5%)". */
export function describeMetrics(flag: GovernanceFlag): string {
  const m = flag.metrics;
  const share = `(${basisPoints(m.rateBasisPoints ?? 0)})`;
  switch (flag.reason) {
    case 'opt_out_rate':
      return `${count(m.optOuts, 'opt-out')} in ${count(m.sends, 'send')} ${share}`;
    case 'failure_rate':
      return `${count(m.failures, 'failure')} in ${count(m.sends, 'send')} ${share}`;
    case 'volume_jump':
      return `${count(m.sends, 'send')} in an hour against an hourly average of ${m.hourlyBaseline ?? 0}`;
    default:
      return flag.reason satisfies never;
  }
}

/** Flags raised by the thresholds; the open ones can be reviewed (which resumes a paused template). */
export function FlagsCard({ numberLabel }: { numberLabel: (channelId: string) => string }) {
  const { id: workspaceId, can } = useWorkspace();
  const [state, setState] = useState<GovernanceFlag['state']>('open');
  const [reviewing, setReviewing] = useState<GovernanceFlag | null>(null);
  const flags = useFlags(workspaceId, state);
  const rows = flags.data?.data ?? [];

  return (
    <section className="card card-flush" aria-labelledby="flags-title" aria-busy={flags.isFetching}>
      <div className="card-head card-pad">
        <div>
          <h2 id="flags-title">Flags</h2>
          <p className="muted small">
            A paused marketing template is refused on its number until someone who manages templates reviews
            the flag.
          </p>
        </div>
        <SelectField
          label="Show"
          name="state"
          value={state}
          onChange={(event) => setState(event.target.value as GovernanceFlag['state'])}
        >
          <option value="open">Open flags</option>
          <option value="reviewed">Reviewed flags</option>
        </SelectField>
      </div>
      {flags.isPending && <Spinner label="Loading flags…" />}
      {flags.isError && <ErrorState error={flags.error} onRetry={() => flags.refetch()} />}
      {flags.isSuccess &&
        (rows.length === 0 ? (
          <EmptyState title={state === 'open' ? 'No open flags' : 'No reviewed flags'}>
            {state === 'open' ? 'Every template is within its thresholds.' : 'Reviews will show here.'}
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" aria-label={state === 'open' ? 'Open flags' : 'Reviewed flags'}>
              <thead>
                <tr>
                  <th scope="col">Template</th>
                  <th scope="col">Reason</th>
                  <th scope="col" className="hide-sm">
                    Raised
                  </th>
                  <th scope="col">{state === 'open' ? 'Status' : 'Review'}</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((flag) => (
                  <tr key={flag.id}>
                    <td>
                      <div className="cell-primary">{flag.templateName}</div>
                      <span className="cell-secondary">{numberLabel(flag.channelId)}</span>
                    </td>
                    <td>
                      <div className="cell-primary">{reasonLabels[flag.reason]}</div>
                      <span className="cell-secondary">{describeMetrics(flag)}</span>
                    </td>
                    <td className="nowrap hide-sm">{formatDateTime(flag.raisedAt)}</td>
                    <td>
                      {flag.state === 'open' ? (
                        flag.paused ? (
                          <span className="badge badge-danger">Paused</span>
                        ) : (
                          <span className="badge badge-warn">Sending</span>
                        )
                      ) : (
                        <>
                          <div>{formatDateTime(flag.reviewedAt)}</div>
                          {flag.reviewNote && <span className="cell-secondary">{flag.reviewNote}</span>}
                        </>
                      )}
                    </td>
                    <td className="cell-actions">
                      {flag.state === 'open' && can('templates.manage') && (
                        <button type="button" className="btn btn-small" onClick={() => setReviewing(flag)}>
                          {flag.paused ? 'Review & resume' : 'Review'}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <ReviewDialog flag={reviewing} onClose={() => setReviewing(null)} />
    </section>
  );
}

function ReviewDialog({ flag, onClose }: { flag: GovernanceFlag | null; onClose: () => void }) {
  const { id: workspaceId } = useWorkspace();
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const noteId = useId();
  const form = useFormErrors(['note']);
  const review = useMutation({
    mutationFn: ({ flagId, note }: { flagId: string; note: string }) =>
      call(
        api.POST('/api/v1/workspaces/{workspaceId}/billing/governance/flags/{flagId}/review', {
          params: { path: { workspaceId, flagId } },
          body: { note },
        }),
      ),
    onSuccess: async (reviewed) => {
      await queryClient.invalidateQueries({ queryKey: billingKey(workspaceId) });
      announce(
        reviewed.paused
          ? `Flag reviewed: ${reviewed.templateName} may be sent again`
          : `Flag on ${reviewed.templateName} reviewed`,
      );
      close();
    },
    onError: form.fail,
  });

  function close() {
    form.clear();
    review.reset();
    onClose();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!flag) return;
    const values = readForm(event.currentTarget);
    const empty = missing(values, ['note']);
    if (Object.keys(empty).length > 0) return form.invalid(empty);
    form.clear();
    review.mutate({ flagId: flag.id, note: values.note ?? '' });
  }

  const error = form.errors.fields.note;
  return (
    <Modal title="Review flag" open={flag !== null} onClose={close}>
      {flag && (
        <form className="stack" onSubmit={submit} noValidate>
          <p>
            <strong>{flag.templateName}</strong>: {reasonLabels[flag.reason].toLowerCase()},{' '}
            {describeMetrics(flag)}.{' '}
            {flag.paused
              ? 'Reviewing resumes its marketing sends on this number.'
              : 'Reviewing closes the flag.'}{' '}
            It is not flagged again for the same reason within the hour.
          </p>
          <FormError message={form.errors.message} />
          <div className="field">
            <label htmlFor={noteId}>Review note</label>
            <textarea
              id={noteId}
              name="note"
              className="review-note"
              maxLength={1000}
              placeholder="What was checked, and why sending may continue"
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${noteId}-error` : undefined}
            />
            {error && (
              <p className="field-error" id={`${noteId}-error`}>
                {error.charAt(0).toUpperCase() + error.slice(1)}
              </p>
            )}
          </div>
          <div className="modal-actions">
            <button type="button" className="btn btn-ghost" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="btn btn-primary" disabled={review.isPending}>
              {review.isPending ? 'Saving…' : flag.paused ? 'Review & resume' : 'Mark reviewed'}
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
