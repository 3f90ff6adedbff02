import { TOKENS, type TestStack } from '../test/helpers/stack.js';

/** What the benchmarks ask for: grants `from`…`to - 1` on local OpenLDAP, each for its own supplier. */
export interface GrantWave {
  from: number;
  to: number;
  /** The supplier of grant `i`. */
  organisation: (i: number) => string;
  expiresAt: string;
  reason: string;
}

/**
 * Creates a wave of grants through the API, 16 requests at a time (the API answers each once its account
 * exists), and returns each grant's account DN in the order created. Any answer but 201 stops the benchmark.
 */
export async function createGrants(stack: TestStack, wave: GrantWave): Promise<string[]> {
  const dns: string[] = [];
  let next = wave.from;
  const run = async () => {
    while (next < wave.to) {
      const i = next++;
      const response = await stack.request('POST', '/v1/grants', TOKENS.requester, {
        provider: 'ldap',
        supplier: { organisation: wave.organisation(i) },
        expiresAt: wave.expiresAt,
        reason: wave.reason,
      });
      if (response.status !== 201)
        throw new Error(`grant ${i}: ${response.status} ${JSON.stringify(response.body)}`);
      dns.push(response.body.account.externalId as string);
    }
  };
  await Promise.all(Array.from({ length: 16 }, run));
  return dns;
}
