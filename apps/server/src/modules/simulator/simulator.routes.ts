import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { HttpApp, Platform } from '../../platform/context.js';
import { currentUser, requireUser } from '../../platform/http/auth.js';
import { AppError, notFound, standardErrors } from '../../platform/http/errors.js';
import { findLiveChannelByNumber, findWaba } from '../channels/channels.repository.js';
import { listTemplateRows } from '../templates/templates.repository.js';
import { simControl } from './simulator.client.js';
import { fromCustomerBubble, toCustomerBubble } from './simulator.render.js';
import * as schemas from './simulator.schemas.js';

const tags = ['simulator'];
const base = '/api/v1/simulator';

/**
 * The simulator phone of embedded mode: the browser plays a virtual customer through these routes, so
 * it never needs the simulator's own origin. Registered only while the in-process simulator runs
 * (embedded mode), so elsewhere every route answers 404.
 */
export function registerSimulatorRoutes(app: HttpApp, platform: Platform): void {
  const sim = simControl(`http://127.0.0.1:${platform.config.graphSim.port}`);
  const db = platform.db;

  /** A number the caller may play a customer of: a live channel of one of their workspaces. */
  async function channelOf(request: FastifyRequest, phoneNumberId: string) {
    const channel = await findLiveChannelByNumber(db, phoneNumberId);
    const member =
      channel &&
      (await request.server.accessResolver.membership(channel.workspaceId, currentUser(request).userId));
    if (!channel || !member) throw notFound('Channel');
    return channel;
  }

  app.get(
    base,
    {
      ...requireUser(),
      schema: {
        tags,
        summary: 'Whether the simulator phone is available',
        response: { 200: schemas.statusReply, ...standardErrors },
      },
    },
    async () => ({ enabled: true as const }),
  );

  app.post(
    `${base}/signup`,
    {
      ...requireUser(),
      schema: {
        tags,
        summary:
          "Embedded Signup's stand-in: a signup code for new simulated assets, or for a connected number's own (to reconnect it)",
        body: schemas.signupBody,
        response: { 201: schemas.signupReply, ...standardErrors },
      },
    },
    async (request, reply) => {
      const appId = platform.config.meta.appId;
      if (!appId) throw notFound('Meta app');
      const out = request.body.reconnectPhoneNumberId
        ? await reconnectCode(request, appId, request.body.reconnectPhoneNumberId)
        : await sim.signup(newAssets(appId, request.body));
      return reply.status(201).send({
        code: out.code,
        businessId: out.business_id,
        wabaId: out.waba_id,
        phoneNumberId: out.phone_number_id,
      });
    },
  );

  /** Signing up again with a number's own business, WABA and number, as its owner would to reconnect it. */
  async function reconnectCode(request: FastifyRequest, appId: string, phoneNumberId: string) {
    const channel = await channelOf(request, phoneNumberId);
    const waba = await findWaba(db, channel.workspaceId, channel.wabaId);
    if (!waba?.businessId) {
      throw new AppError(
        'bad_request',
        'This number was not connected through Embedded Signup; connect it manually',
      );
    }
    return sim.signupCode({
      app_id: appId,
      business_id: waba.businessId,
      waba_id: waba.externalId,
      phone_number_id: phoneNumberId,
    });
  }

  app.get(
    `${base}/customers`,
    {
      ...requireUser(),
      schema: {
        tags,
        summary: 'Virtual customers',
        response: { 200: schemas.customerListReply, ...standardErrors },
      },
    },
    async () => {
      const { data } = await sim.customers();
      return { items: data.map((c) => ({ waId: c.wa_id, name: c.name })) };
    },
  );

  app.post(
    `${base}/customers`,
    {
      ...requireUser(),
      schema: {
        tags,
        summary: 'Create a virtual customer',
        body: schemas.createCustomerBody,
        response: { 201: schemas.customerSchema, ...standardErrors },
      },
    },
    async (request, reply) => {
      // Not auto-reading: the business's messages turn read when the phone page shows them.
      const created = await sim.createCustomer({
        name: request.body.name,
        wa_id: request.body.waId,
        auto_read: false,
      });
      return reply.status(201).send({ waId: created.wa_id, name: created.name });
    },
  );

  app.get(
    `${base}/customers/:waId/messages`,
    {
      ...requireUser(),
      schema: {
        tags,
        summary: "The customer's chat with one business number, oldest first, as their phone shows it",
        params: schemas.customerParams,
        querystring: schemas.numberQuery,
        response: { 200: schemas.messagesReply, ...standardErrors },
      },
    },
    async (request) => {
      const { phoneNumberId } = request.query;
      const channel = await channelOf(request, phoneNumberId);
      const { received, sent } = await sim.messages(request.params.waId);
      const ours = <T extends { phone_number_id: string }>(m: T) => m.phone_number_id === phoneNumberId;
      const definitions = received.some((m) => ours(m) && m.type === 'template')
        ? await listTemplateRows(db, channel.workspaceId, { wabaId: channel.wabaId })
        : [];
      const lookup = (name: string, language: string) =>
        definitions.find((t) => t.name === name && t.language === language);
      const items = [
        ...received.filter(ours).map((m) => toCustomerBubble(m, lookup)),
        ...sent.filter(ours).map(fromCustomerBubble),
      ].sort((a, b) => a.at.localeCompare(b.at));
      return { items };
    },
  );

  app.post(
    `${base}/customers/:waId/messages`,
    {
      ...requireUser(),
      schema: {
        tags,
        summary: 'The customer writes to the business: text, or a tap on a reply button',
        params: schemas.customerParams,
        body: schemas.sendBody,
        response: { 201: schemas.sendReply, ...standardErrors },
      },
    },
    async (request, reply) => {
      const { phoneNumberId, text, reply: tapped } = request.body;
      await channelOf(request, phoneNumberId);
      const out = await sim.send(request.params.waId, sendPayload(phoneNumberId, text, tapped));
      return reply.status(201).send({ id: out.message.id });
    },
  );

  app.post(
    `${base}/customers/:waId/read`,
    {
      ...requireUser(),
      schema: {
        tags,
        summary: "The customer opens the chat: the business's messages turn read",
        params: schemas.customerParams,
        body: schemas.readBody,
        response: { 200: schemas.readReply, ...standardErrors },
      },
    },
    async (request) => {
      await channelOf(request, request.body.phoneNumberId);
      const out = await sim.read(request.params.waId, request.body.phoneNumberId);
      return { read: out.read.length };
    },
  );
}

function newAssets(appId: string, body: z.infer<typeof schemas.signupBody>): Record<string, string> {
  const fields = {
    app_id: appId,
    business_name: body.businessName,
    waba_name: body.wabaName,
    display_phone_number: body.displayPhoneNumber,
    verified_name: body.verifiedName,
  };
  return Object.fromEntries(
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function sendPayload(
  phoneNumberId: string,
  text: string | undefined,
  tapped: { messageId: string; id: string; title: string; kind: 'reply' | 'quick_reply' } | undefined,
): Record<string, unknown> {
  if (!tapped) return { phone_number_id: phoneNumberId, type: 'text', text: { body: text } };
  const context = { message_id: tapped.messageId };
  return tapped.kind === 'reply'
    ? {
        phone_number_id: phoneNumberId,
        type: 'interactive',
        interactive: { type: 'button_reply', button_reply: { id: tapped.id, title: tapped.title } },
        context,
      }
    : {
        phone_number_id: phoneNumberId,
        type: 'button',
        button: { text: tapped.title, payload: tapped.id },
        context,
      };
}
