import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, call } from '../api/client';
import { FormError, TextField } from '../ui/Field';
import { missing, readForm, useFormErrors } from '../ui/forms';
import { AuthLayout } from './AuthLayout';
import { safeNext, useSessionStarted } from './session';

const FIELDS = ['email', 'password'] as const;

export default function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const started = useSessionStarted();
  const form = useFormErrors(FIELDS);
  const next = safeNext(params.get('next'));

  const login = useMutation({
    mutationFn: (body: { email: string; password: string }) => call(api.POST('/api/v1/auth/login', { body })),
    onSuccess: async (session) => {
      await started(session.csrfToken);
      navigate(next ?? (session.workspaceId ? `/w/${session.workspaceId}/inbox` : '/'), { replace: true });
    },
    onError: form.fail,
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readForm(event.currentTarget);
    const empty = missing(values, FIELDS);
    if (Object.keys(empty).length > 0) return form.invalid(empty);
    form.clear();
    login.mutate({ email: values.email ?? '', password: values.password ?? '' });
  }

  const signupLink = next ? `/signup?next=${encodeURIComponent(next)}` : '/signup';
  return (
    <AuthLayout title="Sign in" subtitle="Welcome back. Sign in to your workspace.">
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
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          error={form.errors.fields.password}
        />
        <button type="submit" className="btn btn-primary btn-block" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="auth-links">
        <Link to="/forgot-password">Forgot your password?</Link>
        <span>
          New here? <Link to={signupLink}>Create an account</Link>
        </span>
      </p>
    </AuthLayout>
  );
}
