import type { Logger } from 'pino';
import { SYSTEM_ACTOR } from '../domain/actor.js';
import type { NotificationChannel } from '../domain/channels.js';
import type { IncidentDoor } from '../domain/incident.js';
import type { Notifier } from '../src/notify/index.js';
import { incidentDoorOf, openDoors } from '../src/registry/open-doors.js';
import type { RegistryStore } from '../src/registry/types.js';
import { adminsMessage, custodianMessage, type IncidentNotice } from './incident-notice.js';
import { notificationFailure } from './reminders.js';

export type { IncidentNotice } from './incident-notice.js';

/** What the incident's activities need: the registry, and where notices go. */
export interface IncidentDeps {
  registry: RegistryStore;
  logger: Logger;
  notifier?: Notifier | undefined;
  /** Admins' addresses: the review's `REVIEW_REPORT_TO`, who hear of incidents by e-mail. */
  review?: { reportTo: string[] } | undefined;
}

/** Which incident, whose doors, and the instant the doors are looked at. */
export interface IncidentRef {
  incidentId: string;
  supplierId: string;
  /**
   * The workflow's now: the registry's grant times (provisioning, closing) are its workflows' times, and a door is
   * live or not by the same clock.
   */
  at: string;
}

/** A grant door still open: the workflow to send the revoke to. */
export interface GrantToRevoke {
  grantId: string;
  workflowId: string;
}

/** What the incident's workflow does next: revoke these grants, tell these manual doors' custodians. */
export interface DoorsToClose {
  grants: GrantToRevoke[];
  /** Manual doors flagged by this call (a door already flagged for the incident is not flagged again). */
  flagged: string[];
}

/** Where the incident's doors stand after one look. */
export interface IncidentCheck extends DoorsToClose {
  /** Doors still open. */
  pending: number;
  /** Doors this look found closed since the last one. */
  closed: number;
  /** Set once every door is closed: when the last one closed. */
  doorsClosedAt?: string | undefined;
}

/** The incident workflow's registry reads and writes, and its notices. */
export function createIncidentActivities({ registry, logger, notifier, review }: IncidentDeps) {
  /**
   * Adds the supplier's live doors the entry lacks (a grant created in the instant before the block) and flags the
   * manual doors not yet flagged for this incident. Every step is safe to repeat.
   */
  async function pickUpDoors({ incidentId, supplierId, at }: IncidentRef): Promise<IncidentDoor[]> {
    const live = await openDoors({ registry }, { activeAt: at, supplierId });
    const known = await registry.listIncidentDoors(incidentId);
    const ids = new Set(known.map((d) => d.doorId));
    const found = live.suppliers.flatMap((s) => s.doors).filter((door) => !ids.has(door.id));
    if (found.length > 0) {
      const added = found.map((door) => incidentDoorOf(incidentId, door, at));
      await registry.addIncidentDoors(incidentId, added);
      logger.warn({ incidentId, doors: added.length }, 'incident: doors opened after the block was set');
      return registry.listIncidentDoors(incidentId);
    }
    return known;
  }

  /** Flags each open manual door once for the incident; the ids of those flagged now. */
  async function flagManualDoors(
    { incidentId, at }: IncidentRef,
    doors: readonly IncidentDoor[],
  ): Promise<string[]> {
    const flagged: string[] = [];
    for (const door of doors) {
      if (door.kind !== 'manual' || door.closedAt) continue;
      // Keyed by the incident: a door already flagged for it (a retry, a run continued as new) is not again.
      const appended = await registry.recordManualDoorNotice({
        manualDoorId: door.doorId,
        type: 'incident-flagged',
        key: incidentId,
        at,
        actor: SYSTEM_ACTOR,
        details: { incidentId },
      });
      if (appended) flagged.push(door.doorId);
    }
    return flagged;
  }

  /** The grant doors still open, with the workflow each is closed through. */
  async function grantsToRevoke(doors: readonly IncidentDoor[]): Promise<GrantToRevoke[]> {
    const grants: GrantToRevoke[] = [];
    for (const door of doors) {
      if (door.kind === 'manual' || door.closedAt) continue;
      const grant = await registry.getGrant(door.doorId);
      if (grant) grants.push({ grantId: grant.id, workflowId: grant.workflowId });
    }
    return grants;
  }

  /** When the door closed, as the registry says now; undefined while it is still open. */
  async function closedAtOf(door: IncidentDoor): Promise<string | undefined> {
    if (door.kind === 'manual') {
      const manual = await registry.getManualDoor(door.doorId);
      return manual?.status === 'closed' ? manual.closedAt : undefined;
    }
    const grant = await registry.getGrant(door.doorId);
    // A grant whose account never came to be (provisioning failed) held nothing after its end.
    if (grant?.status === 'failed') {
      // Grants recorded before a failure carried its end: the time of the failure's event.
      const events = grant.endedAt ? [] : await registry.listEvents(grant.id);
      return grant.endedAt ?? events.find((e) => e.type === 'provisioning-failed')?.at;
    }
    return grant?.closedAt;
  }

  return {
    /** The incident's first step: every door found, manual doors flagged, the grant doors to revoke. */
    async incidentDoorsToClose(ref: IncidentRef): Promise<DoorsToClose> {
      const doors = await pickUpDoors(ref);
      const flagged = await flagManualDoors(ref, doors);
      return { grants: await grantsToRevoke(doors), flagged };
    },

    /**
     * One look at the incident's doors: each one the registry now says is closed is recorded closed at the time it
     * really closed (the grant's own `closedAt`, a failed grant's end, the manual door's attestation), not at the
     * time of the look; doors opened meanwhile are added. Once none is pending, the entry is marked closed at the
     * latest of those times.
     */
    async checkIncidentDoors(ref: IncidentRef): Promise<IncidentCheck> {
      const { incidentId } = ref;
      const before = new Set((await registry.listIncidentDoors(incidentId)).map((d) => d.doorId));
      const doors = await pickUpDoors(ref);
      const fresh = doors.filter((d) => !before.has(d.doorId));
      let pending = 0;
      let closed = 0;
      for (const door of doors) {
        if (door.closedAt) continue;
        const closedAt = await closedAtOf(door);
        if (closedAt) {
          await registry.markIncidentDoorClosed(incidentId, door.doorId, closedAt);
          door.closedAt = closedAt;
          closed++;
        } else pending++;
      }
      const flagged = await flagManualDoors(ref, doors);
      const grants = await grantsToRevoke(fresh);
      if (pending > 0) return { pending, closed, grants, flagged };
      const times = doors.flatMap((d) => (d.closedAt ? [d.closedAt] : []));
      const doorsClosedAt = times.reduce((a, b) => (b > a ? b : a), times[0] ?? ref.at);
      await registry.markIncidentDoorsClosed(incidentId, doorsClosedAt);
      logger.info({ incidentId, doors: doors.length, doorsClosedAt }, 'incident: every door closed');
      return { pending, closed, grants, flagged, doorsClosedAt };
    },

    /**
     * Sends one incident notice through one channel: to admins (`opened`, `doors-closed`; recorded once per notice
     * and channel as `admins-notified`, and not sent again once recorded), or to a flagged manual door's custodian.
     * False when the channel is not configured or has no one to tell, or the manual door is closed already.
     */
    async deliverIncidentNotice({
      channel,
      notice,
    }: {
      channel: NotificationChannel;
      notice: IncidentNotice;
    }): Promise<boolean> {
      if (!notifier?.channels.includes(channel)) return false;
      const incident = await registry.getIncident(notice.incidentId);
      if (!incident) return false;
      const key = `${notice.kind}-${channel}`;
      if (notice.kind !== 'flagged') {
        const events = await registry.listIncidentEvents(incident.id);
        if (events.some((e) => e.type === 'admins-notified' && e.details?.key === key)) return true;
      }
      let message;
      if (notice.kind === 'flagged') {
        const door = await registry.getManualDoor(notice.manualDoorId);
        if (!door || door.status === 'closed') return false;
        message = custodianMessage(incident, door);
      } else {
        message = adminsMessage(notice.kind, incident, await registry.listIncidentDoors(incident.id), {
          admins: review?.reportTo ?? [],
        });
      }
      if (channel === 'email' && message.to.length === 0) return false;
      try {
        await notifier.send(channel, message);
      } catch (err) {
        throw notificationFailure(
          err,
          logger,
          { channel, incidentId: incident.id },
          `incident ${notice.kind}`,
        );
      }
      if (notice.kind !== 'flagged') {
        await registry.recordIncidentEvent({
          incidentId: incident.id,
          type: 'admins-notified',
          at: new Date().toISOString(),
          actor: SYSTEM_ACTOR,
          key,
          details: { notice: notice.kind, channel, key },
        });
      }
      return true;
    },
  };
}
