import { providerEnvironment, type ProviderModule } from '../module.js';
import { ENTRA_USERNAME_LIMIT, entraConfigSchema, type EntraConfig } from './config.js';

/** The Microsoft Entra ID provider as the service configures it: `GRAPH_*`. */
export const entraModule = {
  name: 'entra',
  ...providerEnvironment({
    label: 'Entra',
    schema: entraConfigSchema,
    variables: {
      tenantId: 'GRAPH_TENANT_ID',
      clientId: 'GRAPH_CLIENT_ID',
      clientSecret: 'GRAPH_CLIENT_SECRET',
      upnDomain: 'GRAPH_UPN_DOMAIN',
      baseUrl: 'GRAPH_BASE_URL',
      authorityUrl: 'GRAPH_AUTHORITY_URL',
      groups: { name: 'GRAPH_GROUP_IDS', list: true },
      inviteRedirectUrl: 'GRAPH_INVITE_REDIRECT_URL',
    },
    required: ['tenantId', 'clientId', 'clientSecret'],
  }),
  usernameLimit: () => ENTRA_USERNAME_LIMIT,
  create: async (settings: EntraConfig) => (await import('./index.js')).createEntraProvider(settings),
  probe: async (settings: EntraConfig) => (await import('./index.js')).createEntraProbe(settings),
} as const satisfies ProviderModule<EntraConfig>;
