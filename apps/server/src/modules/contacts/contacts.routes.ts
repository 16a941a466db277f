import { z } from 'zod';
import type { HttpApp, Platform } from '../../platform/context.js';
import { AppError, notFound, standardErrors } from '../../platform/http/errors.js';
import { requirePermission, workspaceAccess } from '../../platform/http/tenant.js';
import { recordAudit } from '../audit/audit.service.js';
import { forgetOptSettings } from './contacts.inbound.js';
import * as schemas from './contacts.schemas.js';
import {
  type CreateFailure,
  changeOptState,
  createContact,
  deleteContact,
  exportContactsCsv,
  getContact,
  listContactPage,
  listTags,
  type Result,
  updateContact,
} from './contacts.service.js';
import { getOptOutSettings, updateOptOutSettings } from './opt-out.settings.js';

const tags = ['contacts'];
const base = '/api/v1/workspaces/:workspaceId/contacts';
const one = `${base}/:contactId`;

function failure(reason: CreateFailure | 'not_found' | 'bad_cursor'): AppError {
  switch (reason) {
    case 'not_found':
      return notFound('Contact');
    case 'bad_cursor':
      return new AppError('bad_request', 'The cursor is not valid for this list');
    case 'invalid_phone':
      return new AppError('validation_failed', 'The request is not valid', [
        { path: 'body.phone', message: 'not a valid phone number (add the country code, e.g. +91)' },
      ]);
    case 'already_exists':
      return new AppError('already_exists', 'A contact with this phone number already exists');
    default:
      throw new Error(`unhandled ${reason satisfies never}`);
  }
}

/** Unwraps a typed result into the reply value, or the matching API error. */
function orFail<T, F extends Parameters<typeof failure>[0]>(result: Result<T, F>): T {
  if (!result.ok) throw failure(result.reason);
  return result.value;
}

export function registerContactRoutes(app: HttpApp, platform: Platform): void {
  const db = platform.db;

  app.get(
    base,
    {
      ...requirePermission('contacts.read.assigned'),
      schema: {
        tags,
        summary: 'Contacts the caller may see, searched, filtered and sorted, a page at a time',
        params: schemas.workspaceParams,
        querystring: schemas.listContactsQuery,
        response: { 200: schemas.contactPage, ...standardErrors },
      },
    },
    async (request) => orFail(await listContactPage(db, workspaceAccess(request), request.query)),
  );

  app.get(
    `${base}/tags`,
    {
      ...requirePermission('contacts.read.assigned'),
      schema: {
        tags,
        summary: 'Tags in use among the contacts the caller may see, most used first',
        params: schemas.workspaceParams,
        response: { 200: schemas.tagCounts, ...standardErrors },
      },
    },
    async (request) => listTags(db, workspaceAccess(request)),
  );

  app.get(
    `${base}/export`,
    {
      ...requirePermission('contacts.export'),
      schema: {
        tags,
        summary: 'The matching contacts as CSV, streamed for any number of rows',
        produces: ['text/csv'],
        params: schemas.workspaceParams,
        querystring: schemas.exportContactsQuery,
        response: {
          200: z.string().describe('CSV, one row per contact, with a header row'),
          ...standardErrors,
        },
      },
    },
    async (request, reply) => {
      const access = workspaceAccess(request);
      // Personal data leaving the platform: recorded before any row does.
      await recordAudit(db, access.actor, {
        workspaceId: access.workspaceId,
        action: 'contacts.exported',
        resourceType: 'contact',
        after: { filters: request.query },
      });
      const stream = await exportContactsCsv(db, access, request.query);
      return (
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="contacts-${access.workspaceId}.csv"`)
          // A stream is written as it is read, never serialised; the schema above documents what it carries.
          .send(stream as unknown as string)
      );
    },
  );

  app.post(
    base,
    {
      ...requirePermission('contacts.create'),
      schema: {
        tags,
        summary: 'Add a contact by phone number (normalised to E.164)',
        params: schemas.workspaceParams,
        body: schemas.createContactBody,
        response: { 201: schemas.contactDetail, ...standardErrors },
      },
    },
    async (request, reply) => {
      const contact = orFail(await createContact(db, workspaceAccess(request), request.body));
      return reply.code(201).send(contact);
    },
  );

  app.get(
    one,
    {
      ...requirePermission('contacts.read.assigned'),
      schema: {
        tags,
        summary: 'A contact: attributes, tags, opt-out state and its history, conversations',
        params: schemas.contactParams,
        response: { 200: schemas.contactDetail, ...standardErrors },
      },
    },
    async (request) => {
      const contact = await getContact(db, workspaceAccess(request), request.params.contactId);
      if (!contact) throw notFound('Contact');
      return contact;
    },
  );

  app.patch(
    one,
    {
      ...requirePermission('contacts.update'),
      schema: {
        tags,
        summary: 'Change the name, email, attributes or tags (each given field replaces the old value)',
        params: schemas.contactParams,
        body: schemas.updateContactBody,
        response: { 200: schemas.contactDetail, ...standardErrors },
      },
    },
    async (request) =>
      orFail(await updateContact(db, workspaceAccess(request), request.params.contactId, request.body)),
  );

  app.delete(
    one,
    {
      ...requirePermission('contacts.delete'),
      schema: {
        tags,
        summary:
          'Delete a contact: erased when nothing refers to it, else hidden from contact lists ' +
          '(conversations and the opt-out record stay)',
        params: schemas.contactParams,
        response: { 204: z.null().describe('Deleted'), ...standardErrors },
      },
    },
    async (request, reply) => {
      orFail(await deleteContact(db, workspaceAccess(request), request.params.contactId));
      return reply.code(204).send(null);
    },
  );

  for (const change of ['opt_out', 'opt_in'] as const) {
    app.post(
      `${one}/${change.replace('_', '-')}`,
      {
        ...requirePermission('contacts.update'),
        schema: {
          tags,
          summary:
            change === 'opt_out'
              ? 'Opt the contact out on their behalf (e.g. they asked by phone); sends are refused from now on'
              : 'Opt the contact back in, only with their consent; the reason is kept in the history',
          params: schemas.contactParams,
          body: schemas.optChangeBody,
          response: { 200: schemas.contactDetail, ...standardErrors },
        },
      },
      async (request) =>
        orFail(
          await changeOptState(
            platform,
            workspaceAccess(request),
            request.params.contactId,
            change,
            request.body.reason,
          ),
        ),
    );
  }

  const settingsPath = '/api/v1/workspaces/:workspaceId/opt-out-settings';

  app.get(
    settingsPath,
    {
      ...requirePermission('workspace.view'),
      schema: {
        tags,
        summary: "The workspace's opt-out keywords (its own and the built-in ones) and confirmation texts",
        params: schemas.workspaceParams,
        response: { 200: schemas.optOutSettingsReply, ...standardErrors },
      },
    },
    async (request) => getOptOutSettings(db, workspaceAccess(request).workspaceId),
  );

  app.put(
    settingsPath,
    {
      ...requirePermission('workspace.update'),
      schema: {
        tags,
        summary:
          'Set extra STOP/START keywords (the built-in ones always apply) and the replies sent after them',
        params: schemas.workspaceParams,
        body: schemas.optOutSettingsBody,
        response: { 200: schemas.optOutSettingsReply, ...standardErrors },
      },
    },
    async (request) => {
      const access = workspaceAccess(request);
      const result = await updateOptOutSettings(db, access, request.body);
      if (!result.ok) throw new AppError('validation_failed', 'The request is not valid', result.problems);
      forgetOptSettings(platform, access.workspaceId);
      return result.settings;
    },
  );
}
