import { randomBytes, timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EncryptionCodec } from '../codec.js';
import { openValue, sealValue } from '../sealing.js';

/** The session cookie: the API token, sealed; `__Host-` would demand https, which a local run does not have. */
export const SESSION_COOKIE = 'sa_session';
/** How long a sign-in lasts: a working day. */
export const SESSION_MS = 10 * 60 * 60 * 1000;

/** What the sealed cookie holds: the person's API token, the session's CSRF token, and when it ends. */
export interface WebSession {
  purpose: 'web-session';
  token: string;
  csrf: string;
  expiresAt: number;
}

/**
 * `Secure` when the request came over https, or when the page's public address is https (a proxy that ends TLS
 * hands this process plain http).
 */
const cookieOptions = (request: FastifyRequest, httpsOnly: boolean) => ({
  httpOnly: true,
  sameSite: 'strict' as const,
  path: '/',
  secure: httpsOnly || request.protocol === 'https',
});

/**
 * Signs in: the token (already checked with the API) goes into an `HttpOnly; SameSite=Strict` cookie sealed with
 * the service's payload keys (AES-256-GCM), so neither the browser's storage nor a proxy's log holds it in clear.
 */
export async function startSession(
  codec: EncryptionCodec,
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  now: number,
  httpsOnly = false,
): Promise<void> {
  const session: WebSession = {
    purpose: 'web-session',
    token,
    csrf: randomBytes(24).toString('base64url'),
    expiresAt: now + SESSION_MS,
  };
  const sealed = await sealValue(codec, session);
  reply.setCookie(SESSION_COOKIE, sealed, {
    ...cookieOptions(request, httpsOnly),
    maxAge: SESSION_MS / 1000,
  });
}

/** Signs out: the cookie is cleared with the same attributes it was set with. */
export function endSession(request: FastifyRequest, reply: FastifyReply, httpsOnly = false): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(request, httpsOnly));
}

/** The session of the request's cookie; null without one, or when it is forged, altered or over. */
export async function readSession(
  codec: EncryptionCodec,
  request: FastifyRequest,
  now: number,
): Promise<WebSession | null> {
  const sealed = request.cookies[SESSION_COOKIE];
  if (!sealed) return null;
  try {
    const session = await openValue<WebSession>(codec, sealed);
    if (session.purpose !== 'web-session' || typeof session.token !== 'string') return null;
    return session.expiresAt > now ? session : null;
  } catch {
    return null;
  }
}

/** Whether a form's CSRF token is the session's (double submit: the cookie's sealed copy against the form's). */
export function csrfMatches(session: Pick<WebSession, 'csrf'>, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
