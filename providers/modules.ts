import { entraModule } from './entra/module.js';
import { ldapModule } from './ldap/module.js';
import { oktaModule } from './okta/module.js';
import type { ProviderModule } from './module.js';
import type { ProviderName } from '../domain/account.js';

/** Every provider the service knows, by its name in the API. Adding one is adding its module here. */
export const PROVIDER_MODULES = {
  ldap: ldapModule,
  okta: oktaModule,
  entra: entraModule,
} as const satisfies Record<ProviderName, { name: ProviderName }>;

/** The settings of each provider, as its environment declares them. */
export type ProviderSettings = {
  [N in ProviderName]: NonNullable<ReturnType<(typeof PROVIDER_MODULES)[N]['environment']['parse']>>;
};

/** A provider's module, typed by the settings its environment gives. */
export function moduleOf<N extends ProviderName>(name: N): ProviderModule<ProviderSettings[N]> {
  // Each entry satisfies ProviderModule of its own settings (checked where it is declared); TypeScript cannot
  // follow that through an indexed access.
  return PROVIDER_MODULES[name] as unknown as ProviderModule<ProviderSettings[N]>;
}
