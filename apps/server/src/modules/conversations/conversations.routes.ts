import type { HttpApp, Platform } from '../../platform/context.js';
import { AppError, notFound, standardErrors } from '../../platform/http/errors.js';
import { requirePermission, workspaceAccess } from '../../platform/http/tenant.js';
import * as schemas from './conversations.schemas.js';
import {
  type AssignFailure,
  assignConversation,
  changeStatus,
  conversationCounts,
  getConversation,
  getInboxSettings,
  type LabelsFailure,
  type ListFailure,
  listConversationMessages,
  listConversationPage,
  markConversationRead,
  type StatusFailure,
  setConversationLabels,
  updateInboxSettings,
} from './conversations.service.js';
import { setLabelsBody } from './inbox.schemas.js';

const tags = ['conversations'];
const base = '/api/v1/workspaces/:workspaceId/conversations';
const one = `${base}/:conversationId`;

function failure(
  reason: ListFailure | AssignFailure | StatusFailure | LabelsFailure | 'not_found' | 'bad_cursor',
): AppError {
  switch (reason) {
    case 'not_found':
      return notFound('Conversation');
    case 'bad_cursor':
      return new AppError('bad_request', 'The cursor is not valid for this list');
    case 'me_without_user':
      return new AppError('bad_request', 'assignee=me needs a signed-in member, not an API key');
    case 'unknown_assignee':
    case 'assignee_not_member':
      return new AppError('assignee_not_member', 'The assignee is not a member of this workspace');
    case 'unknown_label':
      return new AppError('validation_failed', 'The request is not valid', [
        { path: 'body.labelIds', message: 'every label must be one of this workspace' },
      ]);
    case 'snooze_in_past':
      return new AppError('validation_failed', 'The request is not valid', [
        { path: 'body.until', message: 'snooze until a time in the future' },
      ]);
    default:
      throw new Error(`unhandled ${reason satisfies never}`);
  }
}

/** Unwraps a typed result into the reply value, or the matching API error. */
function orFail<T, F extends Parameters<typeof failure>[0]>(
  result: { ok: true; value: T } | { ok: false; reason: F },
): T {
  if (!result.ok) throw failure(result.reason);
  return result.value;
}

export function registerConversationRoutes(app: HttpApp, platform: Platform): void {
  const db = platform.db;

  app.get(
    base,
    {
      ...requirePermission('conversations.read.assigned'),
      schema: {
        tags,
        summary: 'Conversations the caller may see, filtered and sorted, a page at a time',
        params: schemas.workspaceParams,
        querystring: schemas.listConversationsQuery,
        response: { 200: schemas.conversationPage, ...standardErrors },
      },
    },
    async (request) => orFail(await listConversationPage(db, workspaceAccess(request), request.query)),
  );

  app.get(
    `${base}/counts`,
    {
      ...requirePermission('conversations.read.assigned'),
      schema: {
        tags,
        summary: 'Open and unread counts for the sidebar filters (mine, unassigned, all)',
        params: schemas.workspaceParams,
        response: { 200: schemas.conversationCounts, ...standardErrors },
      },
    },
    async (request) => conversationCounts(db, workspaceAccess(request)),
  );

  app.get(
    one,
    {
      ...requirePermission('conversations.read.assigned'),
      schema: {
        tags,
        summary:
          'A conversation: contact, assignee, status, and the 24-hour window with what the composer may send',
        params: schemas.conversationParams,
        response: { 200: schemas.conversationDetail, ...standardErrors },
      },
    },
    async (request) => {
      const conversation = await getConversation(db, workspaceAccess(request), request.params.conversationId);
      if (!conversation) throw notFound('Conversation');
      return conversation;
    },
  );

  app.get(
    `${one}/messages`,
    {
      ...requirePermission('conversations.read.assigned'),
      schema: {
        tags,
        summary: 'Messages of a conversation, newest first; follow nextCursor for older ones',
        params: schemas.conversationParams,
        querystring: schemas.listMessagesQuery,
        response: { 200: schemas.messagePage, ...standardErrors },
      },
    },
    async (request) =>
      orFail(
        await listConversationMessages(
          db,
          workspaceAccess(request),
          request.params.conversationId,
          request.query,
        ),
      ),
  );

  app.post(
    `${one}/assign`,
    {
      ...requirePermission('conversations.assign'),
      schema: {
        tags,
        summary: 'Assign to a member (user id or member id), or unassign with null',
        params: schemas.conversationParams,
        body: schemas.assignBody,
        response: { 200: schemas.conversationDetail, ...standardErrors },
      },
    },
    async (request) =>
      orFail(
        await assignConversation(
          platform,
          workspaceAccess(request),
          request.params.conversationId,
          request.body.assigneeId,
        ),
      ),
  );

  app.post(
    `${one}/status`,
    {
      ...requirePermission('conversations.update'),
      schema: {
        tags,
        summary: 'Set the status: open, pending, resolved, or snoozed until a time',
        params: schemas.conversationParams,
        body: schemas.statusBody,
        response: { 200: schemas.conversationDetail, ...standardErrors },
      },
    },
    async (request) =>
      orFail(
        await changeStatus(platform, workspaceAccess(request), request.params.conversationId, request.body),
      ),
  );

  app.post(
    `${one}/read`,
    {
      ...requirePermission('conversations.update'),
      schema: {
        tags,
        summary:
          "Mark the conversation read (unread count to zero) and send Meta's read receipt for its last inbound message",
        params: schemas.conversationParams,
        response: { 200: schemas.conversationDetail, ...standardErrors },
      },
    },
    async (request) =>
      orFail(await markConversationRead(platform, workspaceAccess(request), request.params.conversationId)),
  );

  app.put(
    `${one}/labels`,
    {
      ...requirePermission('conversations.update'),
      schema: {
        tags,
        summary: "Replace the conversation's labels",
        params: schemas.conversationParams,
        body: setLabelsBody,
        response: { 200: schemas.conversationDetail, ...standardErrors },
      },
    },
    async (request) =>
      orFail(
        await setConversationLabels(
          platform,
          workspaceAccess(request),
          request.params.conversationId,
          request.body.labelIds,
        ),
      ),
  );

  app.get(
    '/api/v1/workspaces/:workspaceId/inbox-settings',
    {
      ...requirePermission('workspace.view'),
      schema: {
        tags,
        summary: "The workspace's inbox settings",
        params: schemas.workspaceParams,
        response: { 200: schemas.inboxSettingsSchema, ...standardErrors },
      },
    },
    async (request) => getInboxSettings(db, workspaceAccess(request).workspaceId),
  );

  app.patch(
    '/api/v1/workspaces/:workspaceId/inbox-settings',
    {
      ...requirePermission('workspace.update'),
      schema: {
        tags,
        summary: 'Change inbox settings: whether Agents also see unassigned conversations, auto-assignment',
        params: schemas.workspaceParams,
        body: schemas.updateInboxSettingsBody,
        response: { 200: schemas.inboxSettingsSchema, ...standardErrors },
      },
    },
    async (request) => updateInboxSettings(db, workspaceAccess(request), request.body),
  );
}
