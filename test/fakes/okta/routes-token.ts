/**
 * `POST /oauth2/v1/token`: the org authorization server's token endpoint, for the client-credentials grant of a
 * service app. Public (no API token): the client authenticates with its id and one of its secrets, by HTTP Basic
 * (`client_secret_basic`) or in the form (`client_secret_post`), whichever the app is set to. Answers follow
 * RFC 6749 as Okta words them:
 *
 *   200 { token_type: 'Bearer', expires_in: 3600, access_token, scope }
 *   400 unsupported_grant_type | invalid_request | invalid_scope
 *   401 invalid_client     unknown client, a secret that is wrong, deactivated or removed, an inactive app,
 *                          or the other authentication method than the app's
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { FakeContext } from './context.js';
import { randomChars } from './ids.js';

export const TOKEN_PATH = '/oauth2/v1/token';

const ACCESS_TOKEN_LIFETIME_S = 3600;

function formField(body: unknown, key: string): string | undefined {
  const v = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** `Authorization: Basic base64(client_id:client_secret)`, each part form-urlencoded (RFC 6749 §2.3.1). */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unform = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
  return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
}

function oauthError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .send({ error, error_description: description });
}

export function registerTokenRoutes(app: FastifyInstance, ctx: FakeContext): void {
  app.post(TOKEN_PATH, async (req, reply) => {
    const body = req.body;
    const basic = basicCredentials(req.headers.authorization);
    const postedId = formField(body, 'client_id');
    const method = basic ? 'client_secret_basic' : 'client_secret_post';
    const clientId = basic?.id ?? postedId;
    const secret = basic?.secret ?? formField(body, 'client_secret');
    if (!clientId) return oauthError(reply, 401, 'invalid_client', 'No client credentials found.');
    const client = ctx.apps.byId.get(clientId);
    if (!client) return oauthError(reply, 401, 'invalid_client', "Invalid value for 'client_id' parameter.");
    const matches = client.secrets.some((s) => s.status === 'ACTIVE' && s.secret === secret);
    if (client.status !== 'ACTIVE' || client.tokenEndpointAuthMethod !== method || !matches) {
      return oauthError(
        reply,
        401,
        'invalid_client',
        'The client secret supplied for a confidential client is invalid.',
      );
    }
    const grantType = formField(body, 'grant_type');
    if (!grantType)
      return oauthError(reply, 400, 'invalid_request', "The 'grant_type' parameter is required.");
    if (grantType !== 'client_credentials' || !client.grantTypes.includes(grantType)) {
      return oauthError(
        reply,
        400,
        'unsupported_grant_type',
        `The grant type '${grantType}' is not supported.`,
      );
    }
    const scope = formField(body, 'scope')?.trim();
    if (!scope) {
      return oauthError(
        reply,
        400,
        'invalid_scope',
        "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
      );
    }
    return reply.header('cache-control', 'no-store').send({
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_LIFETIME_S,
      access_token: `eyJ${randomChars(60)}`,
      scope,
    });
  });
}
