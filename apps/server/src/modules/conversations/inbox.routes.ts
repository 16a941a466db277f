import { z } from 'zod';
import type { HttpApp, Platform } from '../../platform/context.js';
import { AppError, notFound, standardErrors } from '../../platform/http/errors.js';
import { requirePermission, workspaceAccess } from '../../platform/http/tenant.js';
import { listAgentSettings, updateAgentSettings } from './auto-assign.js';
import { conversationParams, workspaceParams } from './conversations.schemas.js';
import * as schemas from './inbox.schemas.js';
import { addNote, listNotes, renderQuickReplyFor, search } from './inbox.service.js';
import { createLabel, deleteLabel, type LabelFailure, listLabels, updateLabel } from './labels.js';
import {
  createQuickReply,
  deleteQuickReply,
  listQuickReplies,
  type QuickReplyFailure,
  updateQuickReply,
} from './quick-replies.js';

const tags = ['inbox'];
const ws = '/api/v1/workspaces/:workspaceId';

function labelOutcome<T>(result: { ok: true; value: T } | { ok: false; reason: LabelFailure }): T {
  if (result.ok) return result.value;
  if (result.reason === 'not_found') throw notFound('Label');
  throw new AppError('already_exists', 'A label with this name exists');
}

function quickReplyOutcome<T>(result: { ok: true; value: T } | { ok: false; reason: QuickReplyFailure }): T {
  if (result.ok) return result.value;
  if (result.reason === 'not_found') throw notFound('Quick reply');
  throw new AppError('already_exists', 'A quick reply with this shortcut exists');
}

/** Notes, labels, quick replies, search and auto-assignment terms: the inbox around conversations. */
export function registerInboxRoutes(app: HttpApp, platform: Platform): void {
  const db = platform.db;

  app.get(
    `${ws}/conversations/:conversationId/notes`,
    {
      ...requirePermission('conversations.read.assigned'),
      schema: {
        tags,
        summary: 'Internal notes of a conversation, oldest first',
        params: conversationParams,
        response: { 200: schemas.noteList, ...standardErrors },
      },
    },
    async (request) => {
      const items = await listNotes(db, workspaceAccess(request), request.params.conversationId);
      if (!items) throw notFound('Conversation');
      return { items };
    },
  );

  app.post(
    `${ws}/conversations/:conversationId/notes`,
    {
      ...requirePermission('conversations.notes'),
      schema: {
        tags,
        summary: 'Add an internal note (never sent to WhatsApp); @mentioned members are notified',
        params: conversationParams,
        body: schemas.createNoteBody,
        response: { 201: schemas.noteSchema, ...standardErrors },
      },
    },
    async (request, reply) => {
      const note = await addNote(
        platform,
        workspaceAccess(request),
        request.params.conversationId,
        request.body.body,
      );
      if (!note) throw notFound('Conversation');
      return reply.status(201).send(note);
    },
  );

  app.get(
    `${ws}/labels`,
    {
      ...requirePermission('conversations.read.assigned'),
      schema: {
        tags,
        summary: "The workspace's conversation labels",
        params: workspaceParams,
        response: { 200: schemas.labelList, ...standardErrors },
      },
    },
    async (request) => ({ items: await listLabels(db, workspaceAccess(request).workspaceId) }),
  );

  app.post(
    `${ws}/labels`,
    {
      ...requirePermission('workspace.update'),
      schema: {
        tags,
        summary: 'Create a label (names are unique whatever their case)',
        params: workspaceParams,
        body: schemas.createLabelBody,
        response: { 201: schemas.labelList.shape.items.element, ...standardErrors },
      },
    },
    async (request, reply) =>
      reply.status(201).send(labelOutcome(await createLabel(db, workspaceAccess(request), request.body))),
  );

  app.patch(
    `${ws}/labels/:labelId`,
    {
      ...requirePermission('workspace.update'),
      schema: {
        tags,
        summary: 'Rename or recolour a label',
        params: schemas.labelParams,
        body: schemas.updateLabelBody,
        response: { 200: schemas.labelList.shape.items.element, ...standardErrors },
      },
    },
    async (request) =>
      labelOutcome(await updateLabel(db, workspaceAccess(request), request.params.labelId, request.body)),
  );

  app.delete(
    `${ws}/labels/:labelId`,
    {
      ...requirePermission('workspace.update'),
      schema: {
        tags,
        summary: 'Delete a label; conversations lose it',
        params: schemas.labelParams,
        response: { 204: z.null(), ...standardErrors },
      },
    },
    async (request, reply) => {
      if (!(await deleteLabel(db, workspaceAccess(request), request.params.labelId))) throw notFound('Label');
      return reply.status(204).send(null);
    },
  );

  app.get(
    `${ws}/quick-replies`,
    {
      ...requirePermission('conversations.read.assigned'),
      schema: {
        tags,
        summary:
          'Quick replies, by shortcut; `q` keeps those whose shortcut starts with it (the composer’s /…)',
        params: workspaceParams,
        querystring: schemas.quickReplyQuery,
        response: { 200: schemas.quickReplyList, ...standardErrors },
      },
    },
    async (request) => ({
      items: await listQuickReplies(db, workspaceAccess(request).workspaceId, request.query.q),
    }),
  );

  app.post(
    `${ws}/quick-replies`,
    {
      ...requirePermission('workspace.update'),
      schema: {
        tags,
        summary: 'Create a quick reply',
        params: workspaceParams,
        body: schemas.createQuickReplyBody,
        response: { 201: schemas.quickReplySchema, ...standardErrors },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(quickReplyOutcome(await createQuickReply(db, workspaceAccess(request), request.body))),
  );

  app.patch(
    `${ws}/quick-replies/:quickReplyId`,
    {
      ...requirePermission('workspace.update'),
      schema: {
        tags,
        summary: 'Change a quick reply',
        params: schemas.quickReplyParams,
        body: schemas.updateQuickReplyBody,
        response: { 200: schemas.quickReplySchema, ...standardErrors },
      },
    },
    async (request) =>
      quickReplyOutcome(
        await updateQuickReply(db, workspaceAccess(request), request.params.quickReplyId, request.body),
      ),
  );

  app.delete(
    `${ws}/quick-replies/:quickReplyId`,
    {
      ...requirePermission('workspace.update'),
      schema: {
        tags,
        summary: 'Delete a quick reply',
        params: schemas.quickReplyParams,
        response: { 204: z.null(), ...standardErrors },
      },
    },
    async (request, reply) => {
      if (!(await deleteQuickReply(db, workspaceAccess(request), request.params.quickReplyId))) {
        throw notFound('Quick reply');
      }
      return reply.status(204).send(null);
    },
  );

  app.post(
    `${ws}/quick-replies/:quickReplyId/render`,
    {
      ...requirePermission('messages.send'),
      schema: {
        tags,
        summary: "A quick reply's text for one conversation, its variables filled in",
        params: schemas.quickReplyParams,
        body: schemas.renderQuickReplyBody,
        response: { 200: schemas.renderedQuickReply, ...standardErrors },
      },
    },
    async (request) => {
      const result = await renderQuickReplyFor(
        db,
        workspaceAccess(request),
        request.params.quickReplyId,
        request.body.conversationId,
      );
      if (result.ok) return result.value;
      throw notFound(result.reason === 'not_found' ? 'Quick reply' : 'Conversation');
    },
  );

  app.get(
    `${ws}/search`,
    {
      ...requirePermission('conversations.read.assigned'),
      schema: {
        tags,
        summary:
          'Full-text search of messages (words as typed, "quoted phrases", -excluded) or contacts (word ' +
          'prefixes of name, number, email), newest first, within what the caller may see',
        params: workspaceParams,
        querystring: schemas.searchQuery,
        response: { 200: schemas.searchResult, ...standardErrors },
      },
    },
    async (request) => {
      const result = await search(db, workspaceAccess(request), request.query);
      if (!result.ok) throw new AppError('bad_request', 'The cursor is not valid for this search');
      return result.value;
    },
  );

  app.get(
    `${ws}/inbox-settings/agents`,
    {
      ...requirePermission('workspace.view'),
      schema: {
        tags,
        summary: "Members' auto-assignment terms (taking part, own cap)",
        params: workspaceParams,
        response: { 200: schemas.agentAssignmentList, ...standardErrors },
      },
    },
    async (request) => ({ items: await listAgentSettings(db, workspaceAccess(request).workspaceId) }),
  );

  app.put(
    `${ws}/inbox-settings/agents/:userId`,
    {
      ...requirePermission('workspace.update'),
      schema: {
        tags,
        summary: "Set a member's auto-assignment terms: take part or not, own cap of open conversations",
        params: schemas.agentParams,
        body: schemas.updateAgentAssignmentBody,
        response: { 200: schemas.agentAssignmentSchema, ...standardErrors },
      },
    },
    async (request) => {
      const terms = await updateAgentSettings(
        platform,
        workspaceAccess(request),
        request.params.userId,
        request.body,
      );
      if (!terms) throw notFound('Member');
      return terms;
    },
  );
}
