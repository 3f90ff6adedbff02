import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { EventRecord, GrantEventType, GrantPatch } from '../domain/events.js';
import type { GrantInput } from '../domain/grant.js';
import { indexGrant } from './search-attributes.js';

// Registry writes never give up: a registry that is down is retried, with capped backoff, until it answers.
const { recordGrant, recordEvent } = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s' },
});

/** The sequence numbers of the two steps that close an account, recorded by `closeAccount` itself. */
export interface ClosingSeqs {
  disabled: number;
  rotated: number;
}

/**
 * One grant's trail in the registry. Every change is recorded under the next sequence number of the grant,
 * which makes a retried write harmless; the grant's search attributes follow each recorded change.
 */
export class Journal {
  /** `created` is 0, written with the grant itself. */
  private seq = 0;

  constructor(private readonly input: GrantInput) {}

  /** Writes the grant as requested, with its `created` event. */
  open(): Promise<void> {
    return recordGrant(this.input);
  }

  /** Records an event under the next sequence number. */
  record(type: GrantEventType, actor: string, patch?: GrantPatch, details?: Record<string, string>) {
    if (patch) indexGrant(this.input, patch);
    return recordEvent(this.entry(type, actor, patch, details));
  }

  /**
   * The ending of the grant and the numbers of the two closing steps, for `closeAccount`: one activity closes
   * the door and records all three, so a wave of expiries costs the server as few round trips as possible.
   */
  closing(
    type: 'expired' | 'revoked',
    actor: string,
    patch: GrantPatch,
    details: Record<string, string>,
  ): { ending: EventRecord; seqs: ClosingSeqs } {
    const ending = this.entry(type, actor, patch, details);
    indexGrant(this.input, patch);
    return { ending, seqs: { disabled: ++this.seq, rotated: ++this.seq } };
  }

  private entry(
    type: GrantEventType,
    actor: string,
    patch: GrantPatch | undefined,
    details: Record<string, string> | undefined,
  ): EventRecord {
    const { grantId } = this.input;
    return { grantId, seq: ++this.seq, type, at: new Date().toISOString(), actor, patch, details };
  }
}
