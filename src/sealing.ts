import { defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { Credential } from '../domain/account.js';
import type { EncryptionCodec } from './codec.js';

// CommonJS package: Node's ESM loader cannot see its named exports.
const { temporal } = proto;

/** Seals a password for the registry, and opens it again for the one claim that takes it. */
export interface CredentialSealer {
  seal(credential: Credential): Promise<string>;
  open(sealed: string): Promise<Credential>;
}

/**
 * Seals credentials with the service's payload keys (`PAYLOAD_ENCRYPTION_KEYS`), the same AES-256-GCM that keeps
 * Temporal histories unreadable: the registry holds only ciphertext with the key's id beside it, so keys rotate
 * for the registry as they do for histories (the first key seals, every key opens).
 */
export function createSealer(codec: EncryptionCodec): CredentialSealer {
  return {
    async seal(credential) {
      const [payload] = await codec.encode([defaultPayloadConverter.toPayload(credential)]);
      if (!payload) throw new Error('the codec returned no payload');
      return Buffer.from(temporal.api.common.v1.Payload.encode(payload).finish()).toString('base64');
    },
    async open(sealed) {
      const payload = temporal.api.common.v1.Payload.decode(Buffer.from(sealed, 'base64'));
      const [plain] = await codec.decode([payload]);
      if (!plain) throw new Error('the codec returned no payload');
      return defaultPayloadConverter.fromPayload<Credential>(plain);
    },
  };
}
