import type { FormEvent } from 'react';
import type { FieldErrors } from '../api/client';
import type { Member } from '../api/types';
import { SelectField, TextField } from '../ui/Field';
import { readForm } from '../ui/forms';
import { actionLabels, FILTER_KEYS, type Filters } from './filters';

const actionSuggestions = [
  ...new Set(Object.keys(actionLabels).map((action) => `${action.split('.')[0]}.*`)),
  ...Object.keys(actionLabels),
];

export function AuditFilters({
  filters,
  members,
  errors,
  onApply,
}: {
  filters: Filters;
  members: Member[];
  errors: FieldErrors;
  onApply: (filters: Filters) => void;
}) {
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readForm(event.currentTarget);
    onApply(Object.fromEntries(FILTER_KEYS.map((key) => [key, values[key] ?? ''])));
  }

  // `key` resets the uncontrolled inputs whenever the applied filters change (e.g. "Clear").
  return (
    <form
      key={JSON.stringify(filters)}
      className="filters card"
      onSubmit={submit}
      aria-label="Filter the audit log"
    >
      <TextField
        label="Action"
        name="action"
        list="audit-actions"
        placeholder="e.g. member.*"
        defaultValue={filters.action}
        error={errors.action}
      />
      <datalist id="audit-actions">
        {actionSuggestions.map((action) => (
          <option key={action} value={action} />
        ))}
      </datalist>
      <SelectField label="Actor" name="actorId" defaultValue={filters.actorId ?? ''} error={errors.actorId}>
        <option value="">Anyone</option>
        {members.map((member) => (
          <option key={member.userId} value={member.userId}>
            {member.name}
          </option>
        ))}
      </SelectField>
      <TextField
        label="Resource type"
        name="resourceType"
        placeholder="e.g. api_key"
        defaultValue={filters.resourceType}
        error={errors.resourceType}
      />
      <TextField label="From" name="from" type="date" defaultValue={filters.from} error={errors.from} />
      <TextField label="To" name="to" type="date" defaultValue={filters.to} error={errors.to} />
      <div className="filters-actions">
        <button type="submit" className="btn btn-primary">
          Apply
        </button>
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => onApply({})}
          disabled={Object.keys(filters).length === 0}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
