import type { ComponentType } from 'react';
import { createBrowserRouter, Navigate, type RouteObject } from 'react-router';
import { GuestOnly, Home, RequireUser } from './guards';
import { Shell } from './Shell';

/** Each page is its own chunk, loaded when first visited; the shell and guards stay in the entry. */
const page = (load: () => Promise<{ default: ComponentType }>): Pick<RouteObject, 'lazy'> => ({
  lazy: async () => ({ Component: (await load()).default }),
});

export const router = createBrowserRouter([
  {
    element: <GuestOnly />,
    children: [
      { path: '/login', ...page(() => import('../auth/LoginPage')) },
      { path: '/signup', ...page(() => import('../auth/SignupPage')) },
    ],
  },
  { path: '/forgot-password', ...page(() => import('../auth/ForgotPasswordPage')) },
  { path: '/reset-password', ...page(() => import('../auth/ResetPasswordPage')) },
  { path: '/invitations/accept', ...page(() => import('../auth/AcceptInvitationPage')) },
  {
    element: <RequireUser />,
    children: [
      { path: '/', element: <Home /> },
      { path: '/workspaces/new', ...page(() => import('./NewWorkspacePage')) },
      {
        path: '/w/:workspaceId',
        element: <Shell />,
        children: [
          { index: true, element: <Navigate to="inbox" replace /> },
          { path: 'inbox/:conversationId?', ...page(() => import('../inbox/InboxPage')) },
          { path: 'contacts/:contactId?', ...page(() => import('../contacts/ContactsPage')) },
          { path: 'templates', ...page(() => import('../templates/TemplatesPage')) },
          { path: 'templates/new', ...page(() => import('../templates/TemplateBuilderPage')) },
          { path: 'channels', ...page(() => import('../channels/ChannelsPage')) },
          { path: 'simulator', ...page(() => import('../simulator/SimulatorPage')) },
          { path: 'audit', ...page(() => import('../audit/AuditPage')) },
          {
            path: 'billing',
            ...page(() => import('../billing/BillingLayout')),
            children: [
              { index: true, element: <Navigate to="usage" replace /> },
              { path: 'usage', ...page(() => import('../billing/WalletUsagePage')) },
              { path: 'governance', ...page(() => import('../billing/GovernancePage')) },
            ],
          },
          {
            path: 'settings',
            ...page(() => import('../settings/SettingsLayout')),
            children: [
              { index: true, element: <Navigate to="members" replace /> },
              { path: 'members', ...page(() => import('../settings/MembersPage')) },
              { path: 'api-keys', ...page(() => import('../settings/ApiKeysPage')) },
              { path: 'plan', ...page(() => import('../settings/PlanPage')) },
              { path: 'roles', ...page(() => import('../settings/RolesPage')) },
              { path: 'opt-out', ...page(() => import('../settings/OptOutSettingsPage')) },
              { path: 'quick-replies', ...page(() => import('../settings/QuickRepliesPage')) },
            ],
          },
        ],
      },
    ],
  },
  { path: '*', ...page(() => import('./NotFoundPage')) },
]);
