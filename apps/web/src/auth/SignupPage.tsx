import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, call } from '../api/client';
import { FormError, TextField } from '../ui/Field';
import { missing, readForm, useFormErrors } from '../ui/forms';
import { AuthLayout } from './AuthLayout';
import { safeNext, useSessionStarted } from './session';

const FIELDS = ['name', 'email', 'password', 'workspaceName'] as const;

export default function SignupPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const started = useSessionStarted();
  const form = useFormErrors([...FIELDS, 'invitationToken']);
  const invitationToken = params.get('invitation') ?? undefined;
  const next = safeNext(params.get('next'));

  const signup = useMutation({
    mutationFn: (body: { name: string; email: string; password: string; workspaceName?: string }) =>
      call(api.POST('/api/v1/auth/signup', { body: { ...body, invitationToken } })),
    onSuccess: async (session) => {
      await started(session.csrfToken);
      navigate(session.workspaceId ? `/w/${session.workspaceId}/inbox` : (next ?? '/'), { replace: true });
    },
    onError: form.fail,
  });

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const values = readForm(event.currentTarget);
    const empty = missing(values, invitationToken ? ['name', 'email', 'password'] : FIELDS);
    if (Object.keys(empty).length > 0) return form.invalid(empty);
    form.clear();
    signup.mutate({
      name: values.name ?? '',
      email: values.email ?? '',
      password: values.password ?? '',
      workspaceName: invitationToken ? undefined : values.workspaceName,
    });
  }

  return (
    <AuthLayout
      title={invitationToken ? 'Join your team' : 'Create your account'}
      subtitle={
        invitationToken
          ? 'Create an account with the email address the invitation was sent to.'
          : 'Start your workspace and connect WhatsApp in minutes.'
      }
    >
      <form onSubmit={submit} noValidate className="stack">
        <FormError message={form.errors.message} />
        <TextField
          label="Your name"
          name="name"
          autoComplete="name"
          autoFocus
          error={form.errors.fields.name}
        />
        <TextField
          label="Work email"
          name="email"
          type="email"
          autoComplete="email"
          error={form.errors.fields.email}
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters."
          error={form.errors.fields.password}
        />
        {!invitationToken && (
          <TextField
            label="Business name"
            name="workspaceName"
            autoComplete="organization"
            hint="The name of your workspace; you can change it later."
            error={form.errors.fields.workspaceName}
          />
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={signup.isPending}>
          {signup.isPending ? 'Creating account…' : 'Create account'}
        </button>
      </form>
      <p className="auth-links">
        <span>
          Already have an account?{' '}
          <Link to={next ? `/login?next=${encodeURIComponent(next)}` : '/login'}>Sign in</Link>
        </span>
      </p>
    </AuthLayout>
  );
}
