import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphFake, type GraphFake } from '../fakes/graph/index.js';
import { startOktaFake, type OktaFake } from '../fakes/okta/index.js';
import { TestStack, TOKENS } from '../helpers/stack.js';
import { startWebhookSink, type WebhookSink } from '../helpers/webhook-sink.js';
import { cli } from '../cli/run-cli.js';

/**
 * The review's inventory of non-human credentials through the API, against the Graph fake holding what it exists to
 * find: an application made by hand long ago, named like a supplier's, with a secret that never expires and no owner;
 * and the Okta fake holding an API token somebody made for a supplier and forgot.
 */
let graph: GraphFake;
let okta: OktaFake;
let stack: TestStack;
let webhook: WebhookSink;

beforeAll(async () => {
  [graph, okta, webhook] = await Promise.all([startGraphFake(), startOktaFake(), startWebhookSink()]);
  stack = await TestStack.start({
    GRAPH_TENANT_ID: graph.tenantId,
    GRAPH_CLIENT_ID: graph.clientId,
    GRAPH_CLIENT_SECRET: graph.clientSecret,
    GRAPH_UPN_DOMAIN: 'contoso.test',
    GRAPH_BASE_URL: graph.graphUrl,
    GRAPH_AUTHORITY_URL: graph.authorityUrl,
    OKTA_ORG_URL: okta.url,
    OKTA_API_TOKEN: okta.apiToken,
    OKTA_LOGIN_DOMAIN: 'okta.contoso.test',
    WEBHOOK_URL: webhook.url,
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([graph?.close(), okta?.close(), webhook?.stop()]);
});

interface Holder {
  provider: string;
  kind: string;
  id: string;
  name: string;
  owners: string[];
  ageDays?: number;
  expiresAt?: string;
  grantId?: string;
  flags: string[];
}

const token = () => randomBytes(3).toString('hex');
const DAY = 86_400_000;

describe('the review inventories Entra applications', () => {
  it('flags a planted ownerless, never-expiring app secret, leaves ours alone, and sends the summary', async () => {
    const ours = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'entra',
      kind: 'service',
      supplier: { organisation: `Calendar Sync ${token()}` },
      durationDays: 30,
      reason: 'the supplier syncs our calendar',
    });
    expect(ours.status, JSON.stringify(ours.body)).toBe(201);
    const forgotten = `sup-forgotten-vendor-${token()}`;
    const planted = graph.plantApplication({
      displayName: forgotten,
      createdDateTime: new Date(Date.now() - 400 * DAY).toISOString(),
    });
    const before = webhook.requests.length;

    const run = await stack.request('POST', '/v1/reviews', TOKENS.admin);
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    const report = run.body as {
      id: string;
      providers: { provider: string; inventory?: { holders: number; flagged: number } }[];
      credentials: Holder[];
    };
    const entra = report.providers.find((p) => p.provider === 'entra');
    expect(entra?.inventory?.flagged).toBeGreaterThanOrEqual(1);
    const found = report.credentials.find((c) => c.kind === 'application' && c.name === forgotten);
    expect(found).toMatchObject({
      provider: 'entra',
      id: planted.application.id,
      owners: [],
      flags: ['no-expiry', 'no-owner', 'supplier-name-without-grant'],
    });
    expect(found?.ageDays).toBeGreaterThanOrEqual(399);
    expect(found?.expiresAt).toBeUndefined();
    const ourApp = report.credentials.find((c) => c.kind === 'application' && c.grantId === ours.body.id);
    expect(ourApp?.flags).toEqual([]);

    // Kept with the review: the same inventory by its id.
    const shown = await stack.request('GET', `/v1/reviews/${report.id}`, TOKENS.auditor);
    expect(shown.status).toBe(200);
    expect((shown.body as typeof report).credentials).toContainEqual(
      expect.objectContaining({ name: forgotten }),
    );

    // Flagged holders make the review noteworthy: its summary goes out, naming the planted app.
    const [summary] = (await webhook.waitFor(before + 1, 15_000)).slice(before);
    expect(JSON.stringify(summary?.body)).toContain(forgotten);

    const printed = await cli(['review', 'show', report.id], { apiUrl: stack.apiUrl, token: TOKENS.auditor });
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(
      new RegExp(
        `entra +application +${forgotten} +none +\\d+d +never +no-expiry, no-owner, supplier-name-without-grant`,
      ),
    );
  }, 120_000);

  it('reports a planted Okta API token with its owner, age and last use, flagged for its long window and name', async () => {
    const name = `Old Vendor (supplier) deploy ${token()}`;
    const lastUsed = new Date(Date.now() - 10 * DAY).toISOString();
    const planted = okta.plantApiToken({
      name,
      userId: '00u1forgotten0admin',
      tokenWindow: 'P180D',
      lastUsed,
      created: new Date(Date.now() - 200 * DAY).toISOString(),
    });
    const run = await stack.request('POST', '/v1/reviews', TOKENS.admin);
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    const report = run.body as { id: string; credentials: (Holder & { lastUsedAt?: string })[] };
    const found = report.credentials.find((c) => c.kind === 'api-token' && c.id === planted.id);
    expect(found).toMatchObject({
      provider: 'okta',
      name,
      owners: ['00u1forgotten0admin'],
      flags: ['expiry-beyond-max', 'supplier-name-without-grant'],
    });
    expect(found?.ageDays).toBeGreaterThanOrEqual(199);
    expect(Math.abs(Date.parse(found?.lastUsedAt ?? '') - Date.parse(lastUsed))).toBeLessThan(2000);
    // The service's own token is listed too, and is not one of ours to repair: reported as it is.
    expect(
      report.credentials.filter((c) => c.provider === 'okta' && c.kind === 'api-token').length,
    ).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
