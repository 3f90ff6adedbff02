import type { ApiProblem } from './api-call.js';
import type { Messages } from './i18n/index.js';

/** A refusal as the page shows it: a sentence in the person's language, the fields at fault, the API's words. */
export interface ExplainedProblem {
  status: number;
  message: string;
  fields: string[];
  /** The API's own detail, shown beside the explanation (it names ids and states). */
  detail?: string | undefined;
  /** The incident a refusal about a block names: the page links to its entry. */
  incidentId?: string | undefined;
}

/** The workflow's refusal of a self-approval (workflows/grant-lifecycle.ts). */
const FOUR_EYES = /approved by someone other than the person who requested it/;

/** What kind of refusal an API problem is, by its status and the kind its detail names. */
export function problemKind(problem: ApiProblem): keyof Messages['problems'] {
  const detail = problem.detail ?? '';
  switch (problem.status) {
    case 400:
      return 'validation';
    case 401:
      return 'unauthenticated';
    case 403:
      return FOUR_EYES.test(detail) ? 'fourEyes' : 'forbidden';
    case 404:
      return 'notFound';
    case 409:
      if (/is already blocked by incident/.test(detail)) return 'alreadyBlocked';
      if (problem.incidentId) return 'supplierBlocked';
      if (/is not blocked/.test(detail)) return 'notBlocked';
      if (problem.liveGrantId || detail.startsWith('a live grant')) return 'liveGrant';
      return /no extension is pending|no longer pending/.test(detail) ? 'nothingPending' : 'conflict';
    case 429:
      return 'rateLimited';
    case 502:
      return 'providerRefused';
    case 503:
      return 'notAnswered';
    default:
      return 'internal';
  }
}

/** The problem explained in `m`'s language; a validation problem lists each field by its label and rule. */
export function explainProblem(m: Messages, problem: ApiProblem): ExplainedProblem {
  const kind = problemKind(problem);
  const said = m.problems[kind];
  const message = typeof said === 'string' ? said : m.problems.validation;
  const fields =
    kind === 'validation'
      ? (problem.errors ?? []).map((e) => m.problems.field(m.fields[e.field] ?? e.field, e.rule))
      : [];
  // 5xx details are the API's generic words; the others say which grant or state is meant.
  return {
    status: problem.status,
    message,
    fields,
    detail: problem.status < 500 ? problem.detail : undefined,
    incidentId: problem.incidentId,
  };
}
