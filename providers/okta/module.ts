import { providerEnvironment, type ProviderModule } from '../module.js';
import { oktaConfigSchema, oktaUsernameLimit, type OktaConfig } from './config.js';

/** The Okta provider as the service configures it: `OKTA_*`. */
export const oktaModule = {
  name: 'okta',
  ...providerEnvironment({
    label: 'Okta',
    schema: oktaConfigSchema,
    variables: {
      orgUrl: 'OKTA_ORG_URL',
      apiToken: 'OKTA_API_TOKEN',
      loginDomain: 'OKTA_LOGIN_DOMAIN',
      groups: { name: 'OKTA_GROUP_IDS', list: true },
    },
    required: ['orgUrl', 'apiToken', 'loginDomain'],
  }),
  usernameLimit: (settings: Pick<OktaConfig, 'loginDomain'>) => oktaUsernameLimit(settings.loginDomain),
  create: async (settings: OktaConfig) => (await import('./index.js')).createOktaProvider(settings),
  probe: async (settings: OktaConfig) => (await import('./index.js')).createOktaProbe(settings),
} as const satisfies ProviderModule<OktaConfig>;
