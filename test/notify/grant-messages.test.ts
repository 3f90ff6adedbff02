import { describe, expect, it } from 'vitest';
import { shorteningMessage, type ShorteningFacts } from '../../activities/notices.js';
import { reminderMessage, type ReminderFacts } from '../../activities/reminders.js';
import { DAY } from '../helpers/kit.js';

const GRANT = '5d1c7a2e-8f0b-4b8e-a6d4-3e2f1a0b9c88';

const reminder: ReminderFacts = {
  grantId: GRANT,
  provider: 'ldap',
  organisation: 'Acme Printers Ltd',
  contactEmail: 'former@acme.example',
  username: 'sup-acme-printers-ltd',
  requestedBy: 'rita@client.example',
  expiresAt: '2026-12-20T17:00:00.000Z',
  leadMs: 14 * DAY,
};

const sponsored = {
  sponsor: { name: 'Sam Sponsor', email: 'sam@client.example' },
  contactEmails: ['desk@acme.example'],
};

describe('the reminder', () => {
  it('goes to the sponsor, the supplier contacts and a requester named by address, telling the sponsor how to extend', () => {
    const message = reminderMessage(reminder, sponsored);
    expect([...message.to].sort()).toEqual([
      'desk@acme.example',
      'rita@client.example',
      'sam@client.example',
    ]);
    expect(message.subject).toBe(
      'Supplier access for Acme Printers Ltd ends in 14 days (2026-12-20 17:00 UTC)',
    );
    expect(message.text).toContain('Sam Sponsor');
    expect(message.text).toContain(`supplier-access grant extend ${GRANT}`);
    expect(message.text).toContain(`POST /v1/grants/${GRANT}/extensions`);
    // The webhook's structured facts carry no address.
    expect(JSON.stringify(message.data)).not.toMatch(/@/);
  });

  it('goes to the contacts of the moment, not the one the grant was made with, and leaves a sponsor without address out', () => {
    const message = reminderMessage(
      { ...reminder, requestedBy: 'rita' },
      { sponsor: { name: 'Sam Sponsor' }, contactEmails: ['desk@acme.example'] },
    );
    expect(message.to).toEqual(['desk@acme.example']);
    expect(message.text).toContain('Sam Sponsor');
  });

  it("links to the grant's web page when the service has a public address, and has no link without one", () => {
    const linked = reminderMessage(reminder, sponsored, 'https://access.client.example/');
    expect(linked.text).toContain(`https://access.client.example/grants/${GRANT}`);
    const unlinked = reminderMessage(reminder, sponsored);
    expect(unlinked.text).not.toMatch(/https?:\/\//);
  });

  it('still says who may ask for more time when the supplier has no sponsor', () => {
    const message = reminderMessage(reminder, { contactEmails: [] });
    expect(message.to).toEqual(['rita@client.example']);
    expect(message.text).toContain('the requester');
    expect(message.text).toContain(`POST /v1/grants/${GRANT}/extensions`);
  });
});

describe('the notice of a shortened grant', () => {
  const facts: ShorteningFacts = {
    grantId: GRANT,
    provider: 'ldap',
    organisation: 'Acme Printers Ltd',
    username: 'sup-acme-printers-ltd',
    requestedBy: 'rita',
    from: '2027-01-31T17:00:00.000Z',
    expiresAt: '2026-12-20T17:00:00.000Z',
    reason: 'the contract ends on 20 December',
    shortenedBy: 'ada',
    shortenedAt: '2026-12-03T09:00:00.000Z',
  };

  it('tells the sponsor and the contacts the old and the new expiry, and why', () => {
    const message = shorteningMessage(facts, sponsored);
    expect([...message.to].sort()).toEqual(['desk@acme.example', 'sam@client.example']);
    expect(message.subject).toBe(
      'Supplier access for Acme Printers Ltd now ends earlier: 2026-12-20 17:00 UTC',
    );
    expect(message.text).toContain('from 2027-01-31 17:00 UTC to 2026-12-20 17:00 UTC');
    expect(message.text).toContain('the contract ends on 20 December');
    expect(message.text).toContain('by ada');
    expect(message.text).toContain('Sam Sponsor');
    expect(message.data).toMatchObject({ grantId: GRANT, from: facts.from, expiresAt: facts.expiresAt });
    expect(JSON.stringify(message.data)).not.toMatch(/@/);
  });

  it('says the account closes now when the new expiry is not in the future', () => {
    const message = shorteningMessage({ ...facts, expiresAt: facts.shortenedAt }, sponsored);
    expect(message.text).toContain('is being disabled now');
  });

  it('says of a lend that the password is rotated for the custodian, not that the shared account is disabled', () => {
    const lent = {
      ...sponsored,
      contactEmails: [...sponsored.contactEmails, 'carol@client.example'],
      sharedAccount: { label: 'Website admin', custodian: { name: 'carol', email: 'carol@client.example' } },
    };
    const later = shorteningMessage(facts, lent);
    expect(later.text).not.toContain('disabled');
    expect(later.text).toContain('the lend of Website admin');
    expect(later.text).toContain('its password is rotated and the new one waits for carol');
    const now = shorteningMessage({ ...facts, expiresAt: facts.shortenedAt }, lent);
    expect(now.text).not.toContain('disabled');
    expect(now.text).toContain('its password is being rotated now');
  });
});
