import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Link } from 'react-router';
import { api, call } from '../api/client';
import { FormError, TextField } from '../ui/Field';
import { missing, readForm, useFormErrors } from '../ui/forms';
import { AuthLayout } from './AuthLayout';

export default function ForgotPasswordPage() {
  const form = useFormErrors(['email']);
  const request = useMutation({
    mutationFn: (email: string) => call(api.POST('/api/v1/auth/password-reset', { body: { email } })),
    onError: form.fail,
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readForm(event.currentTarget);
    const empty = missing(values, ['email']);
    if (Object.keys(empty).length > 0) return form.invalid(empty);
    form.clear();
    request.mutate(values.email ?? '');
  }

  if (request.isSuccess) {
    return (
      <AuthLayout title="Check your email">
        <div className="banner banner-success" role="status">
          If an account exists for {request.variables}, a link to reset its password is on its way. The link
          works once, within an hour.
        </div>
        <p className="muted small">
          Running OpenWABA on your own machine? The link is printed in the server's console.
        </p>
        <p className="auth-links">
          <Link to="/login">Back to sign in</Link>
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title="Reset your password" subtitle="Enter your email and we'll send you a reset link.">
      <form onSubmit={submit} noValidate className="stack">
        <FormError message={form.errors.message} />
        <TextField
          label="Email"
          name="email"
          type="email"
          autoComplete="email"
          autoFocus
          error={form.errors.fields.email}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={request.isPending}>
          {request.isPending ? 'Sending…' : 'Send reset link'}
        </button>
      </form>
      <p className="auth-links">
        <Link to="/login">Back to sign in</Link>
      </p>
    </AuthLayout>
  );
}
