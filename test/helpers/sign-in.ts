import { Client, InvalidCredentialsError, ResultCodeError } from 'ldapts';
import type { GraphFake } from '../fakes/graph/index.js';
import type { OktaFake } from '../fakes/okta/index.js';
import type { LocalSlapd } from '../../src/local-stack/slapd.js';
import { adSignIn } from './ad.js';
import type { SambaDc } from './samba.js';

/**
 * Where a password is tried, through the backend's own sign-in (never by reading its state):
 * - `openldap`: a simple bind to slapd, by DN;
 * - `ad`: a simple bind over LDAPS to the Samba DC, by DN or `name@REALM`;
 * - `okta`: `POST /api/v1/authn` on the Okta fake, by login;
 * - `entra`: the resource owner password grant on the Graph fake's token endpoint, by userPrincipalName.
 */
export type SignInTarget =
  | { kind: 'openldap'; slapd: Pick<LocalSlapd, 'url'> }
  | { kind: 'ad'; dc: SambaDc }
  | { kind: 'okta'; okta: Pick<OktaFake, 'url'> }
  | { kind: 'entra'; graph: Pick<GraphFake, 'tokenUrl' | 'clientId'> };

/**
 * What the backend answered: the password signs in as it is (`ok`); it is the account's, but must be changed
 * before it is of any use (`must-change-password`: an OpenLDAP `pwdReset`, AD's data 773, Okta's
 * PASSWORD_EXPIRED, Entra's AADSTS50055); or it is refused (wrong, rotated, or the account cannot sign in).
 */
export type SignInAnswer = 'ok' | 'must-change-password' | 'refused';

/** Whether `password` signs in as `username` right now, with nothing more asked. */
export async function signsIn(target: SignInTarget, username: string, password: string): Promise<boolean> {
  return (await signIn(target, username, password)) === 'ok';
}

/** How the backend answers `username` signing in with `password` right now. */
export function signIn(target: SignInTarget, username: string, password: string): Promise<SignInAnswer> {
  switch (target.kind) {
    case 'openldap':
      return openldapSignIn(target.slapd.url, username, password);
    case 'ad':
      return adSignIn(target.dc, username, password).then((answer) =>
        answer === 'ok' ? 'ok' : answer === 'must-change-password' ? answer : 'refused',
      );
    case 'okta':
      return oktaSignIn(target.okta.url, username, password);
    case 'entra':
      return entraSignIn(target.graph, username, password);
  }
}

/**
 * A simple bind, then one read of the account's own entry: with `pwdReset` set (and the policy's pwdMustChange),
 * slapd takes the bind but refuses every other operation on the database until the password is changed (50,
 * insufficientAccessRights). The root DSE would not do: slapd's frontend answers it, outside the ppolicy overlay.
 */
async function openldapSignIn(url: string, dn: string, password: string): Promise<SignInAnswer> {
  const client = new Client({ url, timeout: 10_000 });
  try {
    await client.bind(dn, password);
    await client.search(dn, { scope: 'base', attributes: ['1.1'] });
    return 'ok';
  } catch (err) {
    if (err instanceof InvalidCredentialsError) return 'refused';
    if (err instanceof ResultCodeError && err.code === 50) return 'must-change-password';
    throw err;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

async function oktaSignIn(orgUrl: string, login: string, password: string): Promise<SignInAnswer> {
  const res = await fetch(`${orgUrl}/api/v1/authn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username: login, password }),
  });
  const body = (await res.json()) as { status?: string; errorCode?: string };
  if (res.status === 401 && body.errorCode === 'E0000004') return 'refused';
  if (res.status !== 200) throw new Error(`Okta authn answered ${res.status} ${JSON.stringify(body)}`);
  if (body.status === 'SUCCESS') return 'ok';
  if (body.status === 'PASSWORD_EXPIRED') return 'must-change-password';
  return 'refused';
}

/** Entra's answers to a user's password grant that mean "not with this password, not now". */
const REFUSED_AADSTS = new Set([50126, 50034, 50057]);

async function entraSignIn(
  graph: Pick<GraphFake, 'tokenUrl' | 'clientId'>,
  upn: string,
  password: string,
): Promise<SignInAnswer> {
  const form = new URLSearchParams({
    grant_type: 'password',
    client_id: graph.clientId,
    scope: 'openid profile',
    username: upn,
    password,
  });
  const res = await fetch(graph.tokenUrl, { method: 'POST', body: form });
  const body = (await res.json()) as { access_token?: string; error?: string; error_codes?: number[] };
  if (res.status === 200 && body.access_token) return 'ok';
  const code = body.error_codes?.[0] ?? 0;
  if (body.error === 'invalid_grant' && code === 50055) return 'must-change-password';
  if (body.error === 'invalid_grant' && REFUSED_AADSTS.has(code)) return 'refused';
  throw new Error(`the token endpoint answered ${res.status} ${JSON.stringify(body)}`);
}

/**
 * How the backend answers an integration signing in with a service credential: it works (`ok`); it is refused
 * because it ran out (`expired`: Entra's AADSTS7000222) or because its identity is disabled (`disabled`: Entra's
 * AADSTS7000112); or it is refused for any other reason (wrong, removed or never issued: `refused`).
 */
export type ServiceSignInAnswer = 'ok' | 'expired' | 'disabled' | 'refused';

/**
 * Whether a service credential gets its integration in right now, as the integration itself would, with nothing
 * more asked (see `serviceSignIn`).
 */
export async function serviceSignsIn(
  target: SignInTarget,
  username: string,
  secret: string,
): Promise<boolean> {
  return (await serviceSignIn(target, username, secret)) === 'ok';
}

/**
 * How the backend answers a service credential right now, through its own sign-in:
 * - `entra`: the client-credentials grant on the Graph fake's token endpoint (client id + secret);
 * - `okta`: the client-credentials grant on the org token endpoint, the client authenticated by HTTP Basic;
 * - `openldap` / `ad`: a simple bind as the service account (by DN), usable at once (no change asked).
 */
export async function serviceSignIn(
  target: SignInTarget,
  username: string,
  secret: string,
): Promise<ServiceSignInAnswer> {
  switch (target.kind) {
    case 'entra':
      return entraClientCredentials(target.graph, username, secret);
    case 'okta':
      return (await oktaClientCredentials(target.okta.url, username, secret)) ? 'ok' : 'refused';
    case 'openldap':
    case 'ad':
      return (await signIn(target, username, secret)) === 'ok' ? 'ok' : 'refused';
  }
}

/** Entra's answers to a client-credentials grant, by AADSTS code. */
const SERVICE_AADSTS: Readonly<Record<number, ServiceSignInAnswer>> = {
  7000215: 'refused', // invalid client secret (wrong or removed)
  700016: 'refused', // no such application
  7000229: 'refused', // no service principal
  7000222: 'expired',
  7000112: 'disabled',
};

async function entraClientCredentials(
  graph: Pick<GraphFake, 'tokenUrl'>,
  clientId: string,
  secret: string,
): Promise<ServiceSignInAnswer> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
    scope: 'https://graph.microsoft.com/.default',
  });
  const res = await fetch(graph.tokenUrl, { method: 'POST', body: form });
  const body = (await res.json()) as { access_token?: string; error_codes?: number[] };
  if (res.status === 200 && body.access_token) return 'ok';
  const answer = SERVICE_AADSTS[body.error_codes?.[0] ?? 0];
  if (answer) return answer;
  throw new Error(`the token endpoint answered ${res.status} ${JSON.stringify(body)}`);
}

async function oktaClientCredentials(orgUrl: string, clientId: string, secret: string): Promise<boolean> {
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString(
    'base64',
  );
  const res = await fetch(`${orgUrl}/oauth2/v1/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'okta.users.read' }),
  });
  const body = (await res.json()) as { access_token?: string; error?: string };
  if (res.status === 200 && body.access_token) return true;
  if (res.status === 401 && body.error === 'invalid_client') return false;
  throw new Error(`the Okta token endpoint answered ${res.status} ${JSON.stringify(body)}`);
}
