import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/local-stack/tools.js';
import { LEND_TOKENS, TestStack, TOKENS } from '../helpers/stack.js';

/**
 * The web page in a real browser (Debian's chromium, headless) against the whole service: a requester who may
 * also approve (bob) grants a supplier access, sees the one-time password once, asks for more time and is refused
 * the approval of his own request; an approver (alice) approves it; an admin (ada) revokes; the latest review.
 * Then ada reports a breach at another supplier through the confirmation, sees its door closed in the register
 * entry, and lifts the block through its own confirmation.
 * Twice: in English with JavaScript, and in French without it (the page needs none). Each page is checked with
 * axe-core and photographed into artifacts/screenshots/.
 */
const SHOTS = join(projectRoot(), 'artifacts', 'screenshots');
const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  [stack, browser] = await Promise.all([
    TestStack.start(),
    chromium.launch({ executablePath: '/usr/bin/chromium', headless: true }),
  ]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

interface Run {
  name: string;
  organisation: string;
  locale: 'en-CA' | 'fr-CA';
  javaScriptEnabled: boolean;
  words: { fourEyes: RegExp; signIn: string; submitGrant: string; extend: string; approve: string };
  /** The supplier whose breach is reported, and the words of the incident's pages. */
  breached: string;
  incident: { report: string; confirm: string; allClosed: string; lift: string; liftConfirm: string };
}

const RUNS: Run[] = [
  {
    name: 'en-js',
    organisation: 'Plomberie Côté & Fils inc.',
    locale: 'en-CA',
    javaScriptEnabled: true,
    words: {
      fourEyes: /You asked for this extension, so you may not approve it: four eyes/,
      signIn: 'Sign in',
      submitGrant: 'Create the grant',
      extend: 'Request the extension',
      approve: 'Approve the extension',
    },
    breached: 'Toitures Boréal inc.',
    incident: {
      report: 'Report a breach',
      confirm: 'Confirm: close every door and block the supplier',
      allClosed: 'all closed',
      lift: 'Lift the block',
      liftConfirm: 'Confirm: lift the block',
    },
  },
  {
    name: 'fr-nojs',
    organisation: 'Électricité Lavoie ltée',
    locale: 'fr-CA',
    javaScriptEnabled: false,
    words: {
      fourEyes:
        /Vous avez demandé cette prolongation : vous ne pouvez pas l'approuver \(règle des quatre yeux\)/,
      signIn: 'Se connecter',
      submitGrant: "Créer l'accès",
      extend: 'Demander la prolongation',
      approve: 'Approuver la prolongation',
    },
    breached: 'Chauffage Gagnon ltée',
    incident: {
      report: 'Signaler un incident',
      confirm: 'Confirmer : fermer toutes les portes et bloquer le fournisseur',
      allClosed: 'toutes fermées',
      lift: 'Lever le blocage',
      liftConfirm: 'Confirmer : lever le blocage',
    },
  },
];

/** No serious or critical accessibility violation on the page as it stands. */
async function expectAccessible(page: Page, step: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => String(n.target)).join(', ')})`),
    step,
  ).toEqual([]);
}

function inDaysAsDate(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

describe.each(RUNS)('the web page, $name', (run) => {
  let step = 0;
  let context: BrowserContext;
  let page: Page;
  const organisation = run.organisation;

  /** Checks the page (accessibility), then photographs it. */
  async function checkpoint(name: string): Promise<void> {
    step += 1;
    // axe runs its script in the page: with JavaScript disabled, the English run's identical pages are checked.
    if (run.javaScriptEnabled) await expectAccessible(page, name);
    await page.screenshot({
      path: join(SHOTS, `${run.name}-${String(step).padStart(2, '0')}-${name}.png`),
      fullPage: true,
    });
  }

  /** What the page shows once it has settled (a reload or a step back may still be navigating). */
  async function shown(): Promise<string> {
    for (;;) {
      await page.waitForLoadState();
      const html = await page.content().catch(() => null);
      if (html !== null) return html;
    }
  }

  async function signInAs(token: string): Promise<void> {
    await page.goto(`${stack.apiUrl}/sign-in`);
    await page.fill('#token', token);
    await page.getByRole('button', { name: run.words.signIn, exact: true }).click();
    await page.waitForURL(`${stack.apiUrl}/`);
  }

  async function signOut(): Promise<void> {
    await page.locator('header form button').click();
    await page.waitForURL(/\/sign-in/);
  }

  beforeAll(async () => {
    context = await browser.newContext({ locale: run.locale, javaScriptEnabled: run.javaScriptEnabled });
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
  });

  it('walks: grant, password once, extension, four eyes, approval, revoke, review', async () => {
    // Sign-in: the pages say who may see them, with the strict policy and in the browser's language.
    const first = await page.goto(`${stack.apiUrl}/`);
    expect(page.url()).toBe(`${stack.apiUrl}/sign-in`);
    expect(first?.headers()['content-security-policy']).toBe(PAGE_CSP);
    expect(await page.locator('html').getAttribute('lang')).toBe(run.locale.slice(0, 2));
    await checkpoint('sign-in');
    await signInAs(LEND_TOKENS.requesterApprover);
    await checkpoint('open-doors');

    // A new grant: the answer shows the one-time password, once.
    await page.goto(`${stack.apiUrl}/grants/new`);
    await page.fill('#organisation', organisation);
    await page.fill('#reason', 'Replace the boiler controller');
    await page.getByRole('button', { name: run.words.submitGrant }).click();
    const password = (await page.locator('#one-time-password').innerText()).trim();
    expect(password.length).toBeGreaterThanOrEqual(12);
    const answer = await page.context().cookies();
    expect(answer.map((c) => c.value).join(' ')).not.toContain(password);
    await checkpoint('credential');
    const grantUrl = await page.locator('main a').last().getAttribute('href');
    expect(grantUrl).toMatch(/^\/grants\/[0-9a-f-]{36}$/);

    // Reloading the answer asks again, and the API refuses a second grant: the password is not shown again.
    await page.reload().catch(() => undefined);
    expect(await shown()).not.toContain(password);
    await page.goto(`${stack.apiUrl}${grantUrl}`);
    expect(await shown()).not.toContain(password);
    // Back to the answer: it was not stored, so the browser does not show it either.
    await page.goBack().catch(() => undefined);
    expect(await shown()).not.toContain(password);
    // The open doors list it under its supplier.
    await page.goto(`${stack.apiUrl}/`);
    await expect.poll(() => page.locator('main').innerText()).toContain(organisation);
    await checkpoint('open-doors-with-grant');
    await page.goto(`${stack.apiUrl}${grantUrl}`);
    await checkpoint('grant');

    // bob asks for more time, then may not approve his own request: the page says why, in the person's language.
    await page.fill('#expiresOn', inDaysAsDate(14));
    await page.fill('#extendReason', 'parts delayed');
    await page.getByRole('button', { name: run.words.extend }).click();
    await page.waitForURL(/done=requested/);
    await checkpoint('extension-requested');
    await page.getByRole('button', { name: run.words.approve }).click();
    await expect.poll(() => page.locator('.problem').innerText()).toMatch(run.words.fourEyes);
    await checkpoint('four-eyes-refused');
    await signOut();

    // alice approves it from the list of pending extensions.
    await signInAs(TOKENS.approver);
    await page.goto(`${stack.apiUrl}/extensions`);
    await checkpoint('pending-extensions');
    const row = page.locator('tr', { hasText: organisation });
    await row.getByRole('button', { name: run.words.approve }).click();
    await page.waitForURL(/done=approved/);
    await checkpoint('extension-approved');
    const approved = await stack.request('GET', `/v1${grantUrl}`, TOKENS.auditor);
    expect(approved.body.status).toBe('active');
    expect(approved.body.expiresAt.slice(0, 10)).toBe(inDaysAsDate(14));
    await signOut();

    // ada revokes it: the account is closed.
    await signInAs(TOKENS.admin);
    await page.goto(`${stack.apiUrl}${grantUrl}`);
    await page.fill('#revokeReason', 'work finished early');
    await page.locator('form[action$="/revoke"] button').click();
    await page.waitForURL(/done=revoke/);
    await checkpoint('revoked');
    const revoked = await stack.request('GET', `/v1${grantUrl}`, TOKENS.auditor);
    expect(revoked.body.status).toBe('revoked');

    // The supplier's page lists the grant, closed.
    await page.locator('main dd a', { hasText: organisation }).click();
    await page.waitForURL(/\/suppliers\/[0-9a-f-]{36}$/);
    expect(await page.locator('main').innerText()).toContain(revoked.body.account.username);
    await checkpoint('supplier');

    // The latest review, with the closed account among its findings.
    const review = await stack.request('POST', '/v1/reviews', TOKENS.admin);
    expect(review.status).toBe(200);
    await page.goto(`${stack.apiUrl}/review`);
    await expect.poll(() => page.locator('main').innerText()).toContain(revoked.body.account.username);
    await checkpoint('review');
    await signOut();
    await checkpoint('signed-out');
  });

  it('reports a breach through the confirmation: the door closes, the entry shows it, the block is lifted', async () => {
    const created = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'ldap',
      supplier: { organisation: run.breached },
      durationDays: 7,
      reason: 'Roof sensors',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { id: grantId, supplierId } = created.body as { id: string; supplierId: string };

    await signInAs(TOKENS.admin);
    await page.goto(`${stack.apiUrl}/suppliers/${supplierId}`);
    await page.getByRole('button', { name: run.incident.report }).click();
    await page.waitForURL(/\/incident\??$/);
    expect(await page.locator('main').innerText()).toContain(created.body.account.username);
    await checkpoint('incident-confirm');
    await page.fill('#incidentReason', 'Supplier reports ransomware');
    await page.getByRole('button', { name: run.incident.confirm }).click();
    await page.locator('.done').waitFor();
    await checkpoint('incident-opened');

    // The entry shows the door closed, with its time, once the directory has answered.
    await page.locator('main a[href^="/incidents/"]').first().click();
    await page.waitForURL(/\/incidents\/[0-9a-f-]{36}$/);
    await expect
      .poll(async () => (await page.reload(), page.locator('main dl').innerText()), { timeout: 60_000 })
      .toContain(run.incident.allClosed);
    await checkpoint('incident-entry');
    const revoked = await stack.request('GET', `/v1/grants/${grantId}`, TOKENS.auditor);
    expect(revoked.body.status).toBe('revoked');

    // The supplier's page shows the block; ada lifts it through its own confirmation.
    await page.goto(`${stack.apiUrl}/suppliers/${supplierId}`);
    await page.getByRole('button', { name: run.incident.lift }).click();
    await page.waitForURL(/\/block\??$/);
    await checkpoint('lift-confirm');
    await page.fill('#liftReason', 'new laptops, audit passed');
    await page.getByRole('button', { name: run.incident.liftConfirm }).click();
    await page.waitForURL(/done=unblocked/);
    await checkpoint('block-lifted');
    const supplier = await stack.request('GET', `/v1/suppliers/${supplierId}`, TOKENS.auditor);
    expect(supplier.body.block).toBeUndefined();
    await signOut();
  }, 180_000);
});
