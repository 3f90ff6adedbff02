/** Groups and memberships. The built-in "Everyone" group holds every user and cannot be changed. */
import { accessDenied, fieldValidationError, resourceNotFound } from './errors.js';
import { isoNow, oktaId } from './ids.js';
import type { FakeUser, Users } from './users.js';

export interface FakeGroup {
  id: string;
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  type: 'OKTA_GROUP' | 'BUILT_IN';
  profile: { name: string; description: string | null };
  /** Member user ids (unused for BUILT_IN: Everyone holds every user). */
  members: Set<string>;
  seq: number;
}

export class Groups {
  readonly byId = new Map<string, FakeGroup>();
  private readonly seqOfId = new Map<string, number>();
  private seq = 0;
  everyone!: FakeGroup;

  constructor(private readonly users: Users) {
    this.reset();
  }

  reset(): void {
    this.byId.clear();
    this.everyone = this.insert('BUILT_IN', 'Everyone', 'All users in your organization');
  }

  seqOf(id: string): number | undefined {
    return this.seqOfId.get(id);
  }

  private insert(type: FakeGroup['type'], name: string, description: string | null): FakeGroup {
    const now = isoNow();
    const g: FakeGroup = {
      id: oktaId('00g'),
      created: now,
      lastUpdated: now,
      lastMembershipUpdated: now,
      type,
      profile: { name, description },
      members: new Set(),
      seq: ++this.seq,
    };
    this.seqOfId.set(g.id, g.seq);
    this.byId.set(g.id, g);
    return g;
  }

  all(): FakeGroup[] {
    return [...this.byId.values()].sort((a, b) => a.seq - b.seq);
  }

  require(id: string): FakeGroup {
    const g = this.byId.get(id);
    if (!g) throw resourceNotFound(id, 'UserGroup');
    return g;
  }

  /** `POST /api/v1/groups` with `{profile: {name, description}}`; names are unique among OKTA_GROUPs. */
  create(body: unknown): FakeGroup {
    const profile = (body as { profile?: { name?: unknown; description?: unknown } } | null)?.profile;
    const name = profile?.name;
    if (typeof name !== 'string' || name.trim() === '') {
      throw fieldValidationError('name', ['name: The field cannot be left blank']);
    }
    const taken = [...this.byId.values()].some((g) => g.profile.name.toLowerCase() === name.toLowerCase());
    if (taken) {
      throw fieldValidationError('name', [
        'name: An object with this field already exists in the current organization',
      ]);
    }
    const description = typeof profile?.description === 'string' ? profile.description : null;
    return this.insert('OKTA_GROUP', name, description);
  }

  delete(g: FakeGroup): void {
    if (g.type === 'BUILT_IN') throw accessDenied();
    this.byId.delete(g.id);
  }

  /** Idempotent: adding a member twice is fine. */
  addMember(g: FakeGroup, u: FakeUser): void {
    if (g.type === 'BUILT_IN') throw accessDenied();
    if (!g.members.has(u.id)) {
      g.members.add(u.id);
      g.lastMembershipUpdated = isoNow();
    }
  }

  /** Idempotent: removing a non-member is fine. */
  removeMember(g: FakeGroup, u: FakeUser): void {
    if (g.type === 'BUILT_IN') throw accessDenied();
    if (g.members.delete(u.id)) g.lastMembershipUpdated = isoNow();
  }

  membersOf(g: FakeGroup): FakeUser[] {
    if (g.type === 'BUILT_IN') return this.users.all();
    return this.users.all().filter((u) => g.members.has(u.id));
  }

  groupsOf(u: FakeUser): FakeGroup[] {
    return this.all().filter((g) => g.type === 'BUILT_IN' || g.members.has(u.id));
  }

  /** A deleted user leaves every group. */
  forgetUser(userId: string): void {
    for (const g of this.byId.values()) {
      if (g.members.delete(userId)) g.lastMembershipUpdated = isoNow();
    }
  }
}
