import { useQuery } from '@tanstack/react-query';
import { Fragment } from 'react';
import { api, call } from '../api/client';
import { type Permissions, roleLabels } from '../api/types';
import { useWorkspace } from '../app/workspace';
import { ErrorState, Spinner } from '../ui/states';
import './roles.css';

type Permission = Permissions['permissions'][number];

/** Who can do what: the server's permission catalogue as a matrix, grouped, with the reader's role marked. */
export default function RolesPage() {
  const { role: myRole } = useWorkspace();
  const catalogue = useQuery({
    queryKey: ['permissions'],
    queryFn: () => call(api.GET('/api/v1/permissions')),
    staleTime: Number.POSITIVE_INFINITY,
  });

  const groups = new Map<string, Permission[]>();
  for (const permission of catalogue.data?.permissions ?? []) {
    groups.set(permission.group, [...(groups.get(permission.group) ?? []), permission]);
  }
  const roles = catalogue.data?.roles ?? [];

  return (
    <section className="card" aria-labelledby="roles-title">
      <div className="card-head">
        <div>
          <h2 id="roles-title">Roles and permissions</h2>
          <p className="muted small">
            Every member and API key has one role. You are {roleLabels[myRole] === 'Owner' ? 'an' : 'a'}{' '}
            <strong>{roleLabels[myRole]}</strong>.
          </p>
        </div>
      </div>
      {catalogue.isPending && <Spinner label="Loading permissions…" />}
      {catalogue.isError && <ErrorState error={catalogue.error} onRetry={() => catalogue.refetch()} />}
      {catalogue.data && (
        <div className="table-wrap">
          <table className="table matrix">
            <caption className="sr-only">Which role may do what</caption>
            <thead>
              <tr>
                <th scope="col">Permission</th>
                {roles.map((role) => (
                  <th key={role} scope="col" className={role === myRole ? 'matrix-mine' : undefined}>
                    {roleLabels[role]}
                    {role === myRole && <span className="sr-only"> (your role)</span>}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...groups].map(([group, permissions]) => (
                <Fragment key={group}>
                  <tr className="matrix-group">
                    <th scope="rowgroup" colSpan={roles.length + 1}>
                      {group}
                    </th>
                  </tr>
                  {permissions.map((permission) => (
                    <tr key={permission.key}>
                      <th scope="row" className="matrix-permission">
                        {permission.description}
                        <code className="cell-secondary mono">{permission.key}</code>
                      </th>
                      {roles.map((role) => {
                        const allowed = permission.roles.includes(role);
                        return (
                          <td
                            key={role}
                            className={role === myRole ? 'matrix-cell matrix-mine' : 'matrix-cell'}
                          >
                            <span aria-hidden="true" className={allowed ? 'matrix-yes' : 'matrix-no'}>
                              {allowed ? '✓' : '—'}
                            </span>
                            <span className="sr-only">{allowed ? 'Allowed' : 'Not allowed'}</span>
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
