import type { Client } from '@okta/okta-sdk-nodejs';
import { ProviderError } from '../errors.js';
import type { ResolvedOktaConfig } from './config.js';

/**
 * A custom string property of the default user schema. The supplier may read it but not change it (SELF
 * READ_ONLY): a supplier who could edit its own profile must not move its own expiry or grant.
 */
function property(title: string, description: string): Record<string, unknown> {
  return {
    title,
    description,
    type: 'string',
    mutability: 'READ_WRITE',
    scope: 'NONE',
    permissions: [{ principal: 'SELF', action: 'READ_ONLY' }],
    master: { type: 'PROFILE_MASTER' },
  };
}

export function wantedProperties(config: ResolvedOktaConfig): Record<string, Record<string, unknown>> {
  return {
    [config.expiryAttribute]: property(
      'Supplier access expires at',
      'Set by supplier-access: the instant (ISO-8601 UTC) this supplier account is disabled.',
    ),
    [config.grantAttribute]: property(
      'Supplier access grant',
      'Set by supplier-access: the grant this supplier account belongs to.',
    ),
  };
}

/**
 * Adds the expiry and grant attributes to the default user schema where they are missing. Okta refuses
 * a profile with an undefined attribute, and an update that names an existing one just replaces it, so this is
 * safe to run from any number of workers.
 */
async function ensureProperties(client: Client, config: ResolvedOktaConfig): Promise<void> {
  const schema = await client.schemaApi.getUserSchema({ schemaId: 'default' });
  const existing = (schema.definitions?.custom?.properties ?? {}) as Record<string, { type?: unknown }>;
  const wanted = wantedProperties(config);
  const missing: typeof wanted = {};
  for (const [name, definition] of Object.entries(wanted)) {
    const found = existing[name];
    if (!found) missing[name] = definition;
    else if (found.type !== 'string') {
      throw new ProviderError('invalid', `user schema: ${name} exists but is not a string`, {
        provider: 'okta',
        operation: 'ensureSchema',
      });
    }
  }
  if (Object.keys(missing).length === 0) return;
  await client.schemaApi.updateUserProfile({
    schemaId: 'default',
    userSchema: { definitions: { custom: { id: '#custom', type: 'object', properties: missing } } },
  });
}

/**
 * `ensureSchema` for one provider instance: the check runs once, and again only after it failed, so concurrent
 * creates share one look at the schema.
 */
export function schemaGuard(client: Client, config: ResolvedOktaConfig): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () => {
    ready ??= ensureProperties(client, config).catch((err: unknown) => {
      ready = undefined;
      throw err;
    });
    return ready;
  };
}
