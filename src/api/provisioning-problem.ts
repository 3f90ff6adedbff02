import type { GrantState } from '../../domain/grant.js';
import { invalid, problem } from './problem.js';

/** The rule a request field broke when the provider refused its value (a `provider-invalid` failure's field). */
const PROVIDER_RULES: Record<string, string> = {
  groups: 'must name existing groups the provider manages',
};

/**
 * The answer for a grant whose provisioning failed. A provider that refused a field of the request (a group
 * that does not exist) did so before creating anything: that is bad input, `400` naming the field, like any
 * other. The grant itself stays `failed` in the registry.
 */
export function provisioningProblem(state: GrantState) {
  const { kind, field, message } = state.failure ?? { kind: 'error', message: 'unknown error' };
  const extra = { grantId: state.grantId, grantStatus: 'failed' };
  if (kind === 'provider-invalid' && field !== undefined) {
    const rule = PROVIDER_RULES[field] ?? 'must be a value the provider accepts';
    // The provider's message, without the operation it names first (`createAccount: …`).
    const why = message.replace(/^createAccount: /, '');
    return invalid([{ field, rule: `${rule}: ${why}` }], extra);
  }
  const status = kind === 'provider-conflict' ? 409 : 502;
  return problem(status, `the provider refused the account: ${message}`, extra);
}
