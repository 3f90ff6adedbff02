import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../domain/actor.js';
import type { TokenAuthenticator } from '../api/auth.js';
import type { EncryptionCodec } from '../codec.js';
import { readSession } from './session.js';

/** Who is using the page: the bearer token the page calls the API with, the actor it names, the form token. */
export interface WebIdentity {
  token: string;
  actor: Actor;
  csrf: string;
}

/**
 * Turns a request into the person behind it, or null when nobody is signed in. The one place that knows how a
 * person signs in: today an API token pasted once and kept in a sealed cookie; an OIDC sign-in would give another
 * function of this type (its session holding a token the API accepts), and nothing else changes.
 */
export type IdentifyRequest = (request: FastifyRequest) => Promise<WebIdentity | null>;

/** Identity from the sealed session cookie; a token no longer in `API_TOKENS` ends the session. */
export function tokenSessionIdentity(
  codec: EncryptionCodec,
  authenticator: TokenAuthenticator,
  now: () => number,
): IdentifyRequest {
  return async (request) => {
    const session = await readSession(codec, request, now());
    if (!session) return null;
    const actor = authenticator.authenticate(`Bearer ${session.token}`);
    return actor ? { token: session.token, actor, csrf: session.csrf } : null;
  };
}
