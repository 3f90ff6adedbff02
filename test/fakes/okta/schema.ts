/**
 * The default user schema (`/api/v1/meta/schemas/user/default`) and profile validation against it.
 * A profile may hold only base properties and custom properties added to the schema beforehand.
 */
import { fieldValidationError, validationError } from './errors.js';

export type Profile = Record<string, unknown>;

type Property = Record<string, unknown> & { title: string; type: string };

const BASE_REQUIRED = ['login', 'firstName', 'lastName', 'email'] as const;

function baseProperty(title: string, extra: Record<string, unknown> = {}): Property {
  return {
    title,
    type: 'string',
    mutability: 'READ_WRITE',
    scope: 'NONE',
    permissions: [{ principal: 'SELF', action: 'READ_WRITE' }],
    master: { type: 'PROFILE_MASTER' },
    ...extra,
  };
}

function baseProperties(): Record<string, Property> {
  const strings: [string, string][] = [
    ['middleName', 'Middle name'],
    ['honorificPrefix', 'Honorific prefix'],
    ['honorificSuffix', 'Honorific suffix'],
    ['title', 'Title'],
    ['displayName', 'Display name'],
    ['nickName', 'Nickname'],
    ['profileUrl', 'Profile Url'],
    ['secondEmail', 'Secondary email'],
    ['mobilePhone', 'Mobile phone'],
    ['primaryPhone', 'Primary phone'],
    ['streetAddress', 'Street address'],
    ['city', 'City'],
    ['state', 'State'],
    ['zipCode', 'Zip code'],
    ['countryCode', 'Country code'],
    ['postalAddress', 'Postal Address'],
    ['preferredLanguage', 'Preferred language'],
    ['locale', 'Locale'],
    ['timezone', 'Time zone'],
    ['userType', 'User type'],
    ['employeeNumber', 'Employee number'],
    ['costCenter', 'Cost center'],
    ['organization', 'Organization'],
    ['division', 'Division'],
    ['department', 'Department'],
    ['managerId', 'ManagerId'],
    ['manager', 'Manager'],
  ];
  return {
    login: baseProperty('Username', { required: true, minLength: 5, maxLength: 100, pattern: '.+' }),
    firstName: baseProperty('First name', { required: true, minLength: 1, maxLength: 50 }),
    lastName: baseProperty('Last name', { required: true, minLength: 1, maxLength: 50 }),
    email: baseProperty('Primary email', { required: true, format: 'email' }),
    ...Object.fromEntries(strings.map(([name, title]) => [name, baseProperty(title)])),
  };
}

const CUSTOM_TYPES = new Set(['string', 'boolean', 'number', 'integer', 'array']);
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export class UserSchema {
  private readonly base = baseProperties();
  private custom: Record<string, Property> = {};
  private readonly created = new Date().toISOString();
  private lastUpdated = this.created;

  reset(): void {
    this.custom = {};
    this.lastUpdated = this.created;
  }

  has(name: string): boolean {
    return name in this.base || name in this.custom;
  }

  customNames(): string[] {
    return Object.keys(this.custom);
  }

  toJson(orgUrl: string): Record<string, unknown> {
    return {
      id: `${orgUrl}/meta/schemas/user/default`,
      $schema: 'http://json-schema.org/draft-04/schema#',
      name: 'user',
      title: 'User',
      description: 'Okta user profile template with default permission settings',
      lastUpdated: this.lastUpdated,
      created: this.created,
      definitions: {
        custom: { id: '#custom', type: 'object', properties: structuredClone(this.custom), required: [] },
        base: {
          id: '#base',
          type: 'object',
          properties: structuredClone(this.base),
          required: [...BASE_REQUIRED],
        },
      },
      type: 'object',
      properties: { profile: { allOf: [{ $ref: '#/definitions/custom' }, { $ref: '#/definitions/base' }] } },
    };
  }

  /**
   * Applies `POST /api/v1/meta/schemas/user/default`: custom properties are added or updated (idempotent),
   * a property set to null is removed. Returns the names removed (their values leave every profile).
   * Base properties cannot be redefined here; the fake ignores base definitions.
   */
  update(body: unknown): string[] {
    const defs = (body as { definitions?: { custom?: { properties?: unknown } } } | null)?.definitions;
    const props = defs?.custom?.properties;
    if (props === undefined) return [];
    if (props === null || typeof props !== 'object' || Array.isArray(props)) {
      throw validationError('Api validation failed: definitions.custom.properties');
    }
    const next = { ...this.custom };
    const removed: string[] = [];
    for (const [name, def] of Object.entries(props as Record<string, unknown>)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw validationError(
          'Api validation failed: invalid property name. Property name should only have alphanumeric characters and underscores. It should not start with a digit.',
        );
      }
      if (name in this.base) {
        throw fieldValidationError(name, [
          `${name}: An object with this field already exists in the current organization`,
        ]);
      }
      if (def === null) {
        if (name in next) removed.push(name);
        delete next[name];
        continue;
      }
      if (typeof def !== 'object' || Array.isArray(def))
        throw fieldValidationError(name, [`${name}: Invalid property`]);
      const d = def as Record<string, unknown>;
      const type = d.type ?? next[name]?.type;
      if (typeof type !== 'string' || !CUSTOM_TYPES.has(type)) {
        throw fieldValidationError(name, [`${name}: The property type is not valid`]);
      }
      if (typeof (d.title ?? next[name]?.title) !== 'string') {
        throw fieldValidationError(name, [`${name}: The field cannot be left blank`]);
      }
      next[name] = {
        mutability: 'READ_WRITE',
        scope: 'NONE',
        permissions: [{ principal: 'SELF', action: 'READ_ONLY' }],
        master: { type: 'PROFILE_MASTER' },
        ...next[name],
        ...d,
        type,
      } as Property;
    }
    this.custom = next;
    this.lastUpdated = new Date().toISOString();
    return removed;
  }

  /**
   * Validates a profile. `full`: the whole profile (create, PUT), so required base properties must be there;
   * otherwise a partial update whose nulls clear values. Throws Okta's E0000001 naming the first bad field.
   */
  validate(profile: unknown, full: boolean): Profile {
    if (profile === null || typeof profile !== 'object' || Array.isArray(profile)) {
      throw fieldValidationError('profile', ['profile: The field cannot be left blank']);
    }
    const p = profile as Profile;
    const errors: [string, string][] = [];
    for (const [name, value] of Object.entries(p)) {
      const def = this.base[name] ?? this.custom[name];
      if (!def) {
        errors.push([name, `Property name '${name}' is not defined in profile`]);
        continue;
      }
      if (value === null || value === undefined) continue;
      const msg = typeError(def, value);
      if (msg) errors.push([name, `${name}: ${msg}`]);
    }
    for (const name of BASE_REQUIRED) {
      const v = p[name];
      const missing = v === null || v === '' || (full && v === undefined);
      if (missing) errors.push([name, `${name}: The field cannot be left blank`]);
    }
    const login = p.login;
    if (typeof login === 'string' && login !== '') {
      if (!EMAIL.test(login))
        errors.push(['login', 'login: Username must be in the form of an email address']);
      else if (login.length < 5 || login.length > 100) {
        errors.push(['login', 'login: The field must be between 5 and 100 characters']);
      }
    }
    for (const name of ['email', 'secondEmail']) {
      const v = p[name];
      if (typeof v === 'string' && v !== '' && !EMAIL.test(v)) {
        errors.push([name, `${name}: Does not match required pattern`]);
      }
    }
    const first = errors[0];
    if (first)
      throw fieldValidationError(
        first[0],
        errors.map(([, m]) => m),
      );
    return p;
  }
}

function typeError(def: Property, value: unknown): string | undefined {
  switch (def.type) {
    case 'string': {
      if (typeof value !== 'string') return 'Does not match required type';
      const max = def.maxLength;
      if (typeof max === 'number' && value.length > max) return `The field is too long`;
      const allowed = def.enum;
      if (Array.isArray(allowed) && !allowed.includes(value)) return 'Does not match required enumeration';
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'Does not match required type';
    case 'number':
      return typeof value === 'number' ? undefined : 'Does not match required type';
    case 'integer':
      return Number.isInteger(value) ? undefined : 'Does not match required type';
    case 'array':
      return Array.isArray(value) ? undefined : 'Does not match required type';
    default:
      return undefined;
  }
}
