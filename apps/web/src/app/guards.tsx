import { Navigate, Outlet, useLocation } from 'react-router';
import { homePath, useMe } from '../auth/session';
import { ErrorState, Spinner } from '../ui/states';

/** Signed-in pages: wait for /auth/me, send guests to sign-in with a way back. */
export function RequireUser() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Spinner />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => me.refetch()} />;
  if (!me.data) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}

/** Sign-in and sign-up: a signed-in visitor goes straight to their workspace. */
export function GuestOnly() {
  const me = useMe();
  if (me.isPending) return <Spinner />;
  if (me.data) return <Navigate to={homePath(me.data)} replace />;
  return <Outlet />;
}

export function Home() {
  const me = useMe();
  if (!me.data) return <Spinner />;
  return <Navigate to={homePath(me.data)} replace />;
}
