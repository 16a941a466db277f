import { Suspense } from 'react';
import { NavLink, Outlet } from 'react-router';
import { useWorkspace } from '../app/workspace';
import { PageHeader, Spinner } from '../ui/states';

export default function SettingsLayout() {
  const { can } = useWorkspace();
  const tabs = [
    { to: 'members', label: 'Members', show: can('members.view') },
    { to: 'api-keys', label: 'API keys', show: can('api_keys.view') },
    { to: 'plan', label: 'Plan', show: can('workspace.view') },
    // Usage and the wallet live under Billing; this tab leads there from the plan.
    { to: '../billing/usage', label: 'Usage & wallet', show: can('billing.view') },
    { to: 'roles', label: 'Roles', show: can('workspace.view') },
    { to: 'opt-out', label: 'Opt-out', show: can('workspace.view') },
    { to: 'quick-replies', label: 'Quick replies', show: can('conversations.read.assigned') },
  ];
  return (
    <>
      <PageHeader title="Settings" />
      <nav className="tabs" aria-label="Settings">
        {tabs
          .filter((tab) => tab.show)
          .map((tab) => (
            <NavLink key={tab.to} to={tab.to} className="tab">
              {tab.label}
            </NavLink>
          ))}
      </nav>
      <Suspense fallback={<Spinner />}>
        <Outlet />
      </Suspense>
    </>
  );
}
