import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, call } from '../api/client';
import { FormError, TextField } from '../ui/Field';
import { missing, readForm, useFormErrors } from '../ui/forms';
import { AuthLayout } from './AuthLayout';

export default function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const form = useFormErrors(['newPassword', 'confirm']);
  const reset = useMutation({
    mutationFn: (newPassword: string) =>
      call(api.POST('/api/v1/auth/password-reset/confirm', { body: { token, newPassword } })),
    onError: form.fail,
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readForm(event.currentTarget);
    const empty = missing(values, ['newPassword', 'confirm']);
    if (Object.keys(empty).length > 0) return form.invalid(empty);
    if (values.newPassword !== values.confirm)
      return form.invalid({ confirm: 'does not match the new password' });
    form.clear();
    reset.mutate(values.newPassword ?? '');
  }

  if (!token) {
    return (
      <AuthLayout title="Reset link incomplete">
        <p>This page needs the link from the reset email. Ask for a new one if it no longer works.</p>
        <p className="auth-links">
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      </AuthLayout>
    );
  }
  if (reset.isSuccess) {
    return (
      <AuthLayout title="Password changed">
        <div className="banner banner-success" role="status">
          Your password is changed and every session was signed out.
        </div>
        <Link to="/login" className="btn btn-primary btn-block">
          Sign in
        </Link>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Choose a new password">
      <form onSubmit={submit} noValidate className="stack">
        <FormError message={form.errors.message} />
        {reset.isError && form.errors.message && (
          <p className="small">
            <Link to="/forgot-password">Ask for a new link</Link>
          </p>
        )}
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          autoFocus
          hint="At least 10 characters."
          error={form.errors.fields.newPassword}
        />
        <TextField
          label="Repeat new password"
          name="confirm"
          type="password"
          autoComplete="new-password"
          error={form.errors.fields.confirm}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={reset.isPending}>
          {reset.isPending ? 'Saving…' : 'Set new password'}
        </button>
      </form>
    </AuthLayout>
  );
}
