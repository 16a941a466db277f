import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { type Actor, actorOf } from './auth.js';
import { AppError } from './errors.js';

/**
 * The installation's operator (who runs the servers, not a workspace member) uses `/api/v1/operator/…`
 * with `Authorization: Bearer $OPERATOR_TOKEN`. Without OPERATOR_TOKEN those routes refuse everyone.
 */
export function operatorGuard(config: Config) {
  const expected = config.operatorToken ? Buffer.from(config.operatorToken) : null;
  return {
    async onRequest(request: FastifyRequest) {
      if (!expected) throw new AppError('forbidden', 'The operator API is disabled (set OPERATOR_TOKEN)');
      const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new AppError('unauthenticated', 'Operator token required');
      }
    },
  };
}

/** Who an operator request acts as in the audit trail: the installation's operator, with IP and request id. */
export function operatorActor(request: FastifyRequest): Actor {
  return { ...actorOf(request), system: 'operator' };
}
