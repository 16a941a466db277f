import type { FastifyInstance } from 'fastify';
import { unsupportedRequest } from '../errors.js';
import type { GraphSimulator } from '../sim.js';
import { fieldsOf, phoneNumberJson, pick, wabaJson } from './accounts.js';
import { authenticate, mayUseWaba } from './auth.js';
import { mediaAccessible, mediaJson } from './media.js';
import { templateJson } from './templates.js';

/** `GET /{id}` and `DELETE /{id}`: Graph nodes are addressed by id alone, whatever their kind. */
export function registerNodeRoutes(app: FastifyInstance, sim: GraphSimulator): void {
  app.get<{ Params: { id: string } }>('/:id', async (req) => {
    const token = authenticate(sim, req);
    const { id } = req.params;
    const w = sim.world;
    const fields = fieldsOf(req.query);
    const number = w.numbers.get(id);
    if (number && mayUseWaba(token, number.wabaId)) return pick(phoneNumberJson(number), fields);
    const waba = w.wabas.get(id);
    if (waba && mayUseWaba(token, waba.id)) return pick(wabaJson(sim, waba), fields);
    const template = w.templates.get(id);
    if (template && mayUseWaba(token, template.wabaId)) return pick(templateJson(template), fields);
    const media = w.media.get(id);
    if (media && mediaAccessible(sim, token, media)) return mediaJson(sim, req, media);
    const business = w.businesses.get(id);
    if (business && (token.wabaIds === undefined || token.businessId === id))
      return { id, name: business.name };
    const application = w.apps.get(id);
    if (application && token.appId === id)
      return { id, name: application.name, link: `https://sim.local/apps/${id}` };
    throw unsupportedRequest('GET', id);
  });

  app.delete<{ Params: { id: string } }>('/:id', async (req) => {
    const token = authenticate(sim, req);
    const media = sim.world.media.get(req.params.id);
    if (media && mediaAccessible(sim, token, media)) {
      sim.world.media.delete(media.id);
      return { success: true };
    }
    throw unsupportedRequest('DELETE', req.params.id);
  });
}
