import { type KeyboardEvent, useId, useState } from 'react';

/**
 * A list of short labels edited as chips: type and press Enter (or a comma) to add, Backspace in the
 * empty box or a chip's × to remove. Used for contact tags and opt-out keywords.
 */
export function TagInput({
  label,
  values,
  onChange,
  suggestions = [],
  placeholder = 'Type and press Enter',
  error,
  hint,
  disabled = false,
}: {
  label: string;
  values: string[];
  onChange: (values: string[]) => void;
  suggestions?: string[];
  placeholder?: string;
  error?: string | undefined;
  hint?: string;
  disabled?: boolean;
}) {
  const id = useId();
  const [draft, setDraft] = useState('');

  function add(raw: string) {
    const value = raw.trim();
    if (value && !values.includes(value)) onChange([...values, value]);
    setDraft('');
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter' || event.key === ',') {
      event.preventDefault();
      add(draft);
    } else if (event.key === 'Backspace' && draft === '' && values.length > 0) {
      onChange(values.slice(0, -1));
    }
  }

  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="chips" data-disabled={disabled || undefined}>
        {values.map((value) => (
          <span key={value} className="chip">
            {value}
            {!disabled && (
              <button
                type="button"
                className="chip-remove"
                aria-label={`Remove ${value}`}
                onClick={() => onChange(values.filter((v) => v !== value))}
              >
                ×
              </button>
            )}
          </span>
        ))}
        {!disabled && (
          <input
            id={id}
            value={draft}
            list={suggestions.length > 0 ? `${id}-suggestions` : undefined}
            placeholder={values.length === 0 ? placeholder : ''}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy || undefined}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={onKeyDown}
            onBlur={() => draft && add(draft)}
          />
        )}
      </div>
      {suggestions.length > 0 && (
        <datalist id={`${id}-suggestions`}>
          {suggestions
            .filter((s) => !values.includes(s))
            .map((s) => (
              <option key={s} value={s} />
            ))}
        </datalist>
      )}
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
