import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useId } from 'react';

interface FieldShell {
  label: string;
  name: string;
  error?: string | undefined;
  hint?: ReactNode;
}

function describedBy(hintId: string, errorId: string, hint: unknown, error: unknown): string | undefined {
  return [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
}

function Messages({ hint, error, hintId, errorId }: FieldShell & { hintId: string; errorId: string }) {
  return (
    <>
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {sentence(error)}
        </p>
      )}
    </>
  );
}

/** A labelled input whose server or client error sits right under it and is announced with it. */
export function TextField({
  label,
  name,
  error,
  hint,
  ...input
}: FieldShell & Omit<InputHTMLAttributes<HTMLInputElement>, 'name'>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${id}-hint`, `${id}-error`, hint, error)}
        {...input}
      />
      <Messages
        label={label}
        name={name}
        error={error}
        hint={hint}
        hintId={`${id}-hint`}
        errorId={`${id}-error`}
      />
    </div>
  );
}

export function SelectField({
  label,
  name,
  error,
  hint,
  children,
  ...select
}: FieldShell & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'name'>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${id}-hint`, `${id}-error`, hint, error)}
        {...select}
      >
        {children}
      </select>
      <Messages
        label={label}
        name={name}
        error={error}
        hint={hint}
        hintId={`${id}-hint`}
        errorId={`${id}-error`}
      />
    </div>
  );
}

/** A form-level error (not tied to one field); `role="alert"` makes screen readers say it at once. */
export function FormError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <div className="banner banner-error" role="alert">
      {message}
    </div>
  );
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
