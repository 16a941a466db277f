import { z } from 'zod';
import type { HttpApp, Platform } from '../../platform/context.js';
import { standardErrors } from '../../platform/http/errors.js';
import { requirePermission, workspaceAccess } from '../../platform/http/tenant.js';
import type { AuditFilters } from './audit.repository.js';
import { auditFiltersQuery, auditListQuery, auditListReply, workspaceParams } from './audit.schemas.js';
import { exportAuditCsv, listAudit, recordAudit } from './audit.service.js';

const tags = ['audit'];

function toFilters(query: {
  actorId?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  from?: string;
  to?: string;
}): AuditFilters {
  return {
    actorId: query.actorId,
    action: query.action,
    resourceType: query.resourceType,
    resourceId: query.resourceId,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
  };
}

/** Read and export only: the trail has no update or delete route, by design. */
export function registerAuditRoutes(app: HttpApp, platform: Platform): void {
  app.get(
    '/api/v1/workspaces/:workspaceId/audit-log',
    {
      ...requirePermission('audit.view'),
      schema: {
        tags,
        summary: 'The audit trail, newest first, filtered and cursor-paged',
        params: workspaceParams,
        querystring: auditListQuery,
        response: { 200: auditListReply, ...standardErrors },
      },
    },
    async (request) => {
      const { cursor, limit, ...filters } = request.query;
      return listAudit(platform.db, workspaceAccess(request).workspaceId, toFilters(filters), {
        cursor,
        limit,
      });
    },
  );

  app.get(
    '/api/v1/workspaces/:workspaceId/audit-log/export',
    {
      ...requirePermission('audit.export'),
      schema: {
        tags,
        summary: 'The audit trail as CSV (oldest first), streamed for any range',
        produces: ['text/csv'],
        params: workspaceParams,
        querystring: auditFiltersQuery,
        response: {
          200: z.string().describe('CSV, one row per audit entry, with a header row'),
          ...standardErrors,
        },
      },
    },
    async (request, reply) => {
      const access = workspaceAccess(request);
      const filters = toFilters(request.query);
      // The export itself is recorded before any row leaves.
      await recordAudit(platform.db, access.actor, {
        workspaceId: access.workspaceId,
        action: 'audit.exported',
        resourceType: 'audit_log',
        after: { filters: request.query },
      });
      const stream = exportAuditCsv(platform.db, access.workspaceId, filters);
      return (
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="audit-${access.workspaceId}.csv"`)
          // A stream is written as it is read, never serialised; the schema above documents what it carries.
          .send(stream as unknown as string)
      );
    },
  );
}
