import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, call, errorMessage } from '../api/client';
import { roleLabels } from '../api/types';
import { FormError } from '../ui/Field';
import { Spinner } from '../ui/states';
import { AuthLayout } from './AuthLayout';
import { meKey, useMe } from './session';

/** The emailed link lands here (`/invitations/accept?token=…`). */
export default function AcceptInvitationPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const accept = useMutation({
    mutationFn: () => call(api.POST('/api/v1/invitations/accept', { body: { token } })),
    onSuccess: async (accepted) => {
      await queryClient.invalidateQueries({ queryKey: meKey });
      navigate(`/w/${accepted.workspaceId}/inbox`, { replace: true });
    },
  });

  if (!token) {
    return (
      <AuthLayout title="Invitation link incomplete">
        <p>Open the link from the invitation email again, or ask for a new invitation.</p>
      </AuthLayout>
    );
  }
  if (me.isPending) return <Spinner />;

  const here = `/invitations/accept?token=${encodeURIComponent(token)}`;
  if (!me.data) {
    return (
      <AuthLayout
        title="You're invited"
        subtitle="Sign in or create an account with the email the invitation was sent to."
      >
        {me.isError && <FormError message={errorMessage(me.error)} />}
        <div className="stack">
          <Link className="btn btn-primary btn-block" to={`/signup?invitation=${encodeURIComponent(token)}`}>
            Create an account
          </Link>
          <Link className="btn btn-block" to={`/login?next=${encodeURIComponent(here)}`}>
            I already have an account
          </Link>
        </div>
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Join the workspace" subtitle={`Signed in as ${me.data.user.email}.`}>
      <FormError message={accept.error ? errorMessage(accept.error) : null} />
      {accept.data && <p>Joined as {roleLabels[accept.data.role]}.</p>}
      <button
        type="button"
        className="btn btn-primary btn-block"
        onClick={() => accept.mutate()}
        disabled={accept.isPending}
      >
        {accept.isPending ? 'Joining…' : 'Accept invitation'}
      </button>
      <p className="auth-links">
        <Link to="/">Not now</Link>
      </p>
    </AuthLayout>
  );
}
