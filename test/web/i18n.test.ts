import { describe, expect, it } from 'vitest';
import { en } from '../../src/web/i18n/en.js';
import { fr } from '../../src/web/i18n/fr.js';
import { fromAcceptLanguage } from '../../src/web/i18n/index.js';
import { explainProblem, problemKind } from '../../src/web/problems.js';

/** Every key of a catalogue, nested ones as `a.b`. */
function keys(catalogue: object, prefix = ''): string[] {
  return Object.entries(catalogue).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null
      ? keys(value as object, `${prefix}${key}.`)
      : [`${prefix}${key}`],
  );
}

describe('the catalogues', () => {
  it('have the same keys in French and English, and say different things in each', () => {
    expect(keys(fr).sort()).toEqual(keys(en).sort());
    const differ = keys(en).filter((k) => !['lang', 'otherLanguageCode'].includes(k));
    const same = differ.filter((k) => {
      const get = (c: object) => k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], c);
      const [a, b] = [get(en), get(fr)];
      return typeof a === 'string' && a === b && !/^[a-z]+$/.test(a);
    });
    // Words that are the same in both languages (a provider's name, "Contacts", "Action") may stay the same.
    expect(same.filter((k) => !['supplier.contacts', 'review.action'].includes(k))).toEqual([]);
  });
});

describe('the API problems the page explains', () => {
  const problems = [
    {
      status: 400,
      detail: 'reason: must not be empty',
      errors: [{ field: 'reason', rule: 'must not be empty' }],
    },
    { status: 401, detail: 'a valid bearer token is required' },
    {
      status: 403,
      detail: 'an extension must be approved by someone other than the person who requested it',
    },
    {
      status: 403,
      detail: 'rita is a requester; only an approver or an admin may approve or reject an extension.',
    },
    { status: 404, detail: 'no grant 0b6f1f43-3c55-4c1e-9d9a-00000000000a' },
    {
      status: 409,
      detail: 'a live grant already covers account sup-acme (x); extend it instead',
      liveGrantId: 'x',
    },
    { status: 409, detail: 'no extension is pending' },
    { status: 409, detail: 'the grant is revoked' },
    {
      status: 409,
      detail: 'supplier Acme is already blocked by incident 3f6c; complete that entry instead',
      incidentId: '3f6c',
    },
    {
      status: 409,
      detail: 'supplier Acme is blocked by incident 3f6c; an admin must lift the block first',
      incidentId: '3f6c',
    },
    { status: 409, detail: 'supplier Acme is not blocked' },
    { status: 429, detail: 'at most 120 changing requests a minute per token; try again in 1 minute' },
    { status: 502, detail: 'the provider refused' },
    { status: 503, detail: 'the grant did not answer in time; the approval is queued' },
    { status: 500, detail: 'internal error; the incident was logged' },
  ];

  it('tells each kind apart: four eyes, forbidden, conflict, validation, not found…', () => {
    expect(problems.map(problemKind)).toEqual([
      'validation',
      'unauthenticated',
      'fourEyes',
      'forbidden',
      'notFound',
      'liveGrant',
      'nothingPending',
      'conflict',
      'alreadyBlocked',
      'supplierBlocked',
      'notBlocked',
      'rateLimited',
      'providerRefused',
      'notAnswered',
      'internal',
    ]);
  });

  it('explains every one in both languages, a validation problem by the field’s label and its rule', () => {
    for (const problem of problems) {
      const [english, french] = [explainProblem(en, problem), explainProblem(fr, problem)];
      expect(english.message).not.toBe('');
      expect(french.message).not.toBe(english.message);
    }
    expect(explainProblem(fr, problems[0]!).fields).toEqual(['Motif : ne doit pas être vide']);
    expect(explainProblem(en, problems[0]!).fields).toEqual(['Reason: must not be empty']);
    expect(explainProblem(fr, problems[2]!).message).toMatch(/quatre yeux/);
    // The API's own words are kept beside the explanation, but never a 5xx's.
    expect(explainProblem(fr, problems[4]!).detail).toContain('no grant');
    // A refusal about a block names its incident, so the page can link to the entry.
    expect(explainProblem(fr, problems[8]!).incidentId).toBe('3f6c');
    expect(explainProblem(fr, problems[14]!).detail).toBeUndefined();
  });
});

describe('the language of the page', () => {
  it("follows the browser's preference among French and English, English otherwise", () => {
    expect(fromAcceptLanguage('fr-CA,fr;q=0.9,en;q=0.8')).toBe('fr');
    expect(fromAcceptLanguage('en-US,en;q=0.9,fr;q=0.8')).toBe('en');
    expect(fromAcceptLanguage('de-DE,fr;q=0.5')).toBe('fr');
    expect(fromAcceptLanguage('en;q=0.2,fr;q=0.7')).toBe('fr');
    expect(fromAcceptLanguage('de, es')).toBe('en');
    expect(fromAcceptLanguage(undefined)).toBe('en');
  });
});
