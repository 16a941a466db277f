import { Link } from 'react-router';
import { AuthLayout } from '../auth/AuthLayout';

export default function NotFoundPage() {
  return (
    <AuthLayout title="Page not found" subtitle="The address may be mistyped, or the page has moved.">
      <Link to="/" className="btn btn-primary btn-block">
        Go to my workspace
      </Link>
    </AuthLayout>
  );
}
