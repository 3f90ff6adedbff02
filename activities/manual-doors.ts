import type { Logger } from 'pino';
import { SYSTEM_ACTOR } from '../domain/actor.js';
import type { NotificationChannel } from '../domain/channels.js';
import type { ManualDoorRecord } from '../domain/manual-door.js';
import type { SupplierRecord } from '../domain/supplier.js';
import type { Notification, Notifier } from '../src/notify/index.js';
import type { RegistryStore } from '../src/registry/types.js';
import { addressesOf, instantText, sendNotice } from './reminders.js';

/** A reminder to the custodian before `until`, or an escalation to admins of an overdue door; `key` names it. */
export interface ManualDoorNotice {
  manualDoorId: string;
  kind: 'reminder' | 'escalation';
  /** The reminder's lead (`7d`) or the escalation's day (`day-2`): what is recorded once. */
  key: string;
}

export interface ManualDoorDeps {
  registry: RegistryStore;
  logger: Logger;
  notifier?: Notifier | undefined;
  /** Admins' addresses: the review's `REVIEW_REPORT_TO`, who hear of overdue doors by e-mail. */
  review?: { reportTo: string[] } | undefined;
}

/** The manual door workflow's registry writes and notices. */
export function createManualDoorActivities({ registry, logger, notifier, review }: ManualDoorDeps) {
  return {
    /** Records the door (status `open`, with `created`); the same door again changes nothing. */
    async recordManualDoor(door: ManualDoorRecord): Promise<void> {
      await registry.insertManualDoor(door);
    },

    async markManualDoorOverdue(manualDoorId: string): Promise<void> {
      await registry.markManualDoorOverdue(manualDoorId);
      logger.warn({ manualDoorId }, 'manual door overdue');
    },

    /** Records the attestation; the door as it now stands (a first attestation is kept). */
    async closeManualDoor(attestation: {
      manualDoorId: string;
      actor: string;
      at: string;
      note?: string | undefined;
    }): Promise<ManualDoorRecord | null> {
      const { manualDoorId, ...rest } = attestation;
      const closed = await registry.closeManualDoor(manualDoorId, rest);
      logger.info({ manualDoorId, actor: attestation.actor }, 'manual door attested closed');
      return closed;
    },

    async recordManualDoorNotice(notice: {
      manualDoorId: string;
      type: 'reminder-sent' | 'escalated';
      key: string;
      at: string;
      details?: Record<string, string> | undefined;
    }): Promise<void> {
      await registry.recordManualDoorNotice({ ...notice, actor: SYSTEM_ACTOR });
    },

    /**
     * Sends one reminder (to the custodian) or escalation (to admins) through one channel, with the door as the
     * registry holds it now; false when the channel is not configured, has no one to tell, or the door is closed.
     */
    async deliverManualDoorNotice({
      channel,
      notice,
    }: {
      channel: NotificationChannel;
      notice: ManualDoorNotice;
    }): Promise<boolean> {
      if (!notifier?.channels.includes(channel)) return false;
      const door = await registry.getManualDoor(notice.manualDoorId);
      if (!door || door.status === 'closed') return false;
      const supplier = await registry.getSupplier(door.supplierId);
      const message =
        notice.kind === 'reminder'
          ? reminderMessage(door, supplier)
          : escalationMessage(door, supplier, review?.reportTo ?? []);
      return sendNotice(
        notifier,
        logger,
        channel,
        message,
        { manualDoorId: door.id },
        `manual door ${notice.kind}`,
      );
    },
  };
}

/** The lines both messages share: what, where, whose, until when, and how to attest it closed. */
function doorLines(door: ManualDoorRecord, supplier: SupplierRecord | null): string[] {
  return [
    `What: ${door.what}`,
    `Where: ${door.where}`,
    `Supplier: ${supplier?.legalName ?? door.supplierId}`,
    `Custodian: ${door.custodian.name}`,
    `Until: ${instantText(door.until)}`,
    `Why it was opened: ${door.reason} (recorded by ${door.requestedBy})`,
    '',
    'Once it is closed, attest it, with a note on how:',
    `  supplier-access manual attest ${door.id} --note <how>`,
    `  (POST /v1/manual-doors/${door.id}/attest)`,
  ];
}

function facts(door: ManualDoorRecord, supplier: SupplierRecord | null): Record<string, unknown> {
  return {
    manualDoorId: door.id,
    supplierId: door.supplierId,
    organisation: supplier?.legalName,
    what: door.what,
    where: door.where,
    custodian: door.custodian.name,
    until: door.until,
  };
}

/** The custodian's reminder: close the door by hand before `until`. */
export function reminderMessage(door: ManualDoorRecord, supplier: SupplierRecord | null): Notification {
  return {
    subject: `Close by ${instantText(door.until)}: ${door.what}`,
    text: [
      `A door no API can close must be closed by hand by ${instantText(door.until)}: ${door.custodian.name} is its custodian.`,
      ...doorLines(door, supplier),
    ].join('\n'),
    to: addressesOf({ contactEmails: door.custodian.email ? [door.custodian.email] : [] }),
    data: { ...facts(door, supplier), notice: 'reminder' },
  };
}

/** The admins' escalation: the door is past `until` and nobody attested it closed. */
export function escalationMessage(
  door: ManualDoorRecord,
  supplier: SupplierRecord | null,
  admins: string[],
): Notification {
  return {
    subject: `Overdue: ${door.what} (${supplier?.legalName ?? 'supplier'}) is still open`,
    text: [
      `This door should have been closed by ${instantText(door.until)}, and nobody has attested it closed.`,
      `Its custodian is ${door.custodian.name}${door.custodian.email ? ` (${door.custodian.email})` : ''}.`,
      '',
      ...doorLines(door, supplier),
    ].join('\n'),
    to: addressesOf({ contactEmails: admins }),
    data: { ...facts(door, supplier), notice: 'escalation' },
  };
}
