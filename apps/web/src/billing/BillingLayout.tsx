import { Suspense } from 'react';
import { NavLink, Outlet } from 'react-router';
import { useWorkspace } from '../app/workspace';
import { EmptyState, PageHeader, Spinner } from '../ui/states';
import './billing.css';

/** Billing: what the workspace spends (wallet and usage) and how its templates behave (governance). */
export default function BillingLayout() {
  const { can } = useWorkspace();
  if (!can('billing.view')) {
    return (
      <>
        <PageHeader title="Billing" />
        <EmptyState title="Your role cannot see billing">
          Owners and Managers see the wallet, usage and template governance.
        </EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Billing" />
      <nav className="tabs" aria-label="Billing">
        <NavLink to="usage" className="tab">
          Wallet & usage
        </NavLink>
        <NavLink to="governance" className="tab">
          Template governance
        </NavLink>
      </nav>
      <Suspense fallback={<Spinner />}>
        <Outlet />
      </Suspense>
    </>
  );
}
