import { METADATA_ENCODING_KEY, defaultPayloadConverter } from '@temporalio/common';
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
 * Seals any JSON value with the service's payload keys: AES-256-GCM, the key's id beside the ciphertext, the first
 * key seals and every key opens. Base64, so it fits a registry column or a cookie.
 */
export async function sealValue(codec: EncryptionCodec, value: unknown): Promise<string> {
  const [payload] = await codec.encode([defaultPayloadConverter.toPayload(value)]);
  if (!payload) throw new Error('the codec returned no payload');
  return Buffer.from(temporal.api.common.v1.Payload.encode(payload).finish()).toString('base64');
}

/** The value `sealValue` sealed; throws when it was not sealed by one of our keys or was altered. */
export async function openValue<T>(codec: EncryptionCodec, sealed: string): Promise<T> {
  const payload = temporal.api.common.v1.Payload.decode(Buffer.from(sealed, 'base64'));
  // The codec passes plaintext payloads through (histories hold some): a sealed value must be ciphertext.
  const encoding = Buffer.from(payload.metadata?.[METADATA_ENCODING_KEY] ?? []).toString();
  if (encoding !== 'binary/encrypted') throw new Error('the value is not sealed');
  const [plain] = await codec.decode([payload]);
  if (!plain) throw new Error('the codec returned no payload');
  return defaultPayloadConverter.fromPayload<T>(plain);
}

/**
 * Seals credentials with the service's payload keys (`PAYLOAD_ENCRYPTION_KEYS`), the same AES-256-GCM that keeps
 * Temporal histories unreadable: the registry holds only ciphertext with the key's id beside it, so keys rotate
 * for the registry as they do for histories (the first key seals, every key opens).
 */
export function createSealer(codec: EncryptionCodec): CredentialSealer {
  return {
    seal: (credential) => sealValue(codec, credential),
    open: (sealed) => openValue<Credential>(codec, sealed),
  };
}
