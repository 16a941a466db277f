import { useState } from 'react';
import { ApiError, errorMessage, type FieldErrors } from '../api/client';

/** Reads a form's text fields as strings (trimmed; passwords untouched). */
export function readForm(form: HTMLFormElement): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of new FormData(form)) {
    if (typeof value !== 'string') continue;
    const input = form.elements.namedItem(key);
    values[key] = input instanceof HTMLInputElement && input.type === 'password' ? value : value.trim();
  }
  return values;
}

/** Client-side "required" check, so empty submits get a message beside the field without a round trip. */
export function missing(values: Record<string, string>, names: readonly string[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const name of names) if (!values[name]) errors[name] = 'is required';
  return errors;
}

export interface FormErrors {
  fields: FieldErrors;
  message: string | null;
}

const none: FormErrors = { fields: {}, message: null };

/**
 * A form's error state. `fail` sorts a thrown error into messages next to known fields and one banner
 * for the rest (including details whose field the form doesn't show).
 */
export function useFormErrors(knownFields: readonly string[]) {
  const [errors, setErrors] = useState<FormErrors>(none);
  return {
    errors,
    clear: () => setErrors(none),
    invalid: (fields: FieldErrors) => setErrors({ fields, message: null }),
    fail: (error: unknown) => {
      if (!(error instanceof ApiError) || error.details.length === 0) {
        setErrors({ fields: {}, message: errorMessage(error) });
        return;
      }
      const fields: FieldErrors = {};
      const stray: string[] = [];
      for (const [key, message] of Object.entries(error.fields)) {
        if (knownFields.includes(key)) fields[key] = message;
        else stray.push(`${key}: ${message}`);
      }
      setErrors({ fields, message: stray.length > 0 ? `${error.message} (${stray.join('; ')})` : null });
    },
  };
}
