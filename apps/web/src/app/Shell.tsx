import { type ChangeEvent, Suspense, useEffect, useRef, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate, useParams } from 'react-router';
import { roleLabels } from '../api/types';
import { rememberWorkspace, useLogOut, useMe } from '../auth/session';
import { useSimulatorAvailable } from '../simulator/status';
import { Icon, type IconName } from '../ui/icons';
import { Logo } from '../ui/Logo';
import { ErrorState, Spinner } from '../ui/states';
import { useWorkspaceQuery, WorkspaceContext } from './workspace';

interface NavItem {
  to: string;
  label: string;
  icon: IconName;
  permission?: string;
  /** Shown only when the in-process Graph API simulator runs (embedded mode). */
  simulatorOnly?: boolean;
}

const NAV: NavItem[] = [
  { to: 'inbox', label: 'Inbox', icon: 'inbox' },
  { to: 'contacts', label: 'Contacts', icon: 'contacts' },
  { to: 'templates', label: 'Templates', icon: 'templates', permission: 'templates.view' },
  { to: 'channels', label: 'Channels', icon: 'channels', permission: 'channels.view' },
  {
    to: 'simulator',
    label: 'Simulator phone',
    icon: 'simulator',
    permission: 'channels.view',
    simulatorOnly: true,
  },
  { to: 'billing', label: 'Billing', icon: 'billing', permission: 'billing.view' },
  { to: 'audit', label: 'Audit log', icon: 'audit', permission: 'audit.view' },
  { to: 'settings', label: 'Settings', icon: 'settings' },
];

/** The signed-in frame: sidebar (a drawer on phones) with navigation and the workspace switcher. */
export function Shell() {
  const { workspaceId = '' } = useParams();
  const me = useMe();
  const workspace = useWorkspaceQuery(workspaceId);
  const logOut = useLogOut();
  const simulator = useSimulatorAvailable();
  const navigate = useNavigate();
  const location = useLocation();
  const [drawerOpen, setDrawerOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  const sidebar = useRef<HTMLElement>(null);

  // On phones the sidebar is a drawer: opening moves focus into it, Escape closes it and returns focus.
  useEffect(() => {
    if (!drawerOpen) return;
    sidebar.current?.querySelector<HTMLElement>('select, a')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setDrawerOpen(false);
      menuButton.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [drawerOpen]);

  useEffect(() => {
    if (workspace.data) rememberWorkspace(workspace.data.id);
  }, [workspace.data]);
  // Following a link closes the drawer on phones.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation only
  useEffect(() => setDrawerOpen(false), [location.pathname]);

  function switchWorkspace(event: ChangeEvent<HTMLSelectElement>) {
    const target = event.target.value;
    if (target === '__new') return navigate('/workspaces/new');
    const section = location.pathname.split('/')[3] ?? 'inbox';
    navigate(`/w/${target}/${section}`);
  }

  const user = me.data?.user;
  const workspaces = me.data?.workspaces ?? [];
  const detail = workspace.data;

  return (
    <div className="app" data-drawer={drawerOpen ? 'open' : 'closed'}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button
          ref={menuButton}
          type="button"
          className="btn-icon"
          aria-label="Open navigation"
          aria-expanded={drawerOpen}
          aria-controls="sidebar"
          onClick={() => setDrawerOpen((open) => !open)}
        >
          <Icon name="menu" size={22} />
        </button>
        <Logo />
      </header>
      <button
        type="button"
        className="scrim"
        aria-label="Close navigation"
        tabIndex={-1}
        onClick={() => setDrawerOpen(false)}
      />
      <aside className="sidebar" id="sidebar" ref={sidebar}>
        <div className="sidebar-brand">
          <Logo />
        </div>
        <div className="switcher">
          <label htmlFor="workspace-switcher" className="switcher-label">
            Workspace
          </label>
          <select id="workspace-switcher" value={workspaceId} onChange={switchWorkspace}>
            {workspaces.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
            <option value="__new">+ New workspace…</option>
          </select>
          {detail && <span className="switcher-role">{roleLabels[detail.role]}</span>}
        </div>
        <nav aria-label="Main" className="nav">
          {NAV.filter(
            (item) =>
              (!item.permission || detail?.permissions.includes(item.permission)) &&
              (!item.simulatorOnly || simulator),
          ).map((item) => (
            <NavLink key={item.to} to={item.to} className="nav-link">
              <Icon name={item.icon} />
              <span>{item.label}</span>
            </NavLink>
          ))}
        </nav>
        <div className="sidebar-foot">
          {user && (
            <div className="user">
              <span className="avatar" aria-hidden="true">
                {initials(user.name)}
              </span>
              <span className="user-text">
                <span className="user-name">{user.name}</span>
                <span className="user-email">{user.email}</span>
              </span>
            </div>
          )}
          <button
            type="button"
            className="btn btn-ghost btn-block"
            onClick={() => logOut.mutate()}
            disabled={logOut.isPending}
          >
            <Icon name="logout" />
            {logOut.isPending ? 'Signing out…' : 'Sign out'}
          </button>
        </div>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        {workspace.isPending && <Spinner label="Loading workspace…" />}
        {workspace.isError && <ErrorState error={workspace.error} onRetry={() => workspace.refetch()} />}
        {detail && (
          <WorkspaceContext.Provider value={detail}>
            <Suspense fallback={<Spinner />}>
              <Outlet />
            </Suspense>
          </WorkspaceContext.Provider>
        )}
      </main>
    </div>
  );
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase())
    .join('');
}
