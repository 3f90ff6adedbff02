import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  METADATA_ENCODING_KEY,
  defaultPayloadConverter,
  type DataConverter,
  type Payload,
  type PayloadCodec,
} from '@temporalio/common';
import proto from '@temporalio/proto';
import { UNAUTHENTIC_PAYLOAD } from '../workflows/authentic.js';

// CommonJS package: Node's ESM loader cannot see its named exports.
const { temporal } = proto;

const ENCODING = 'binary/encrypted';
const KEY_ID_METADATA = 'encryption-key-id';
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

/** One AES-256 key and the id written beside every payload it encrypts. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** Thrown when `PAYLOAD_ENCRYPTION_KEYS` is malformed or a payload names a key we do not hold. */
export class EncryptionKeyError extends Error {
  override readonly name = 'EncryptionKeyError';
}

/** Parses `id:base64-32-byte-key,…`; the first key encrypts, all of them decrypt. */
export function parseEncryptionKeys(spec: string): EncryptionKey[] {
  const keys = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry, index) => {
      const [id, b64] = entry.split(':');
      const key = Buffer.from(b64 ?? '', 'base64');
      if (!id || !/^[A-Za-z0-9._-]{1,64}$/.test(id) || key.length !== 32) {
        throw new EncryptionKeyError(
          `PAYLOAD_ENCRYPTION_KEYS entry ${index + 1} must be id:base64 of 32 bytes (id from A-Z a-z 0-9 . _ -)`,
        );
      }
      return { id, key };
    });
  if (keys.length === 0) throw new EncryptionKeyError('PAYLOAD_ENCRYPTION_KEYS holds no key');
  return keys;
}

/** A fresh key spec, as stored in the data dir for local use. */
export function generateKeySpec(id = `local-${Date.now()}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** The keys from configuration, or from `<dataDir>/payload-keys` (created on first use) for local runs. */
export function loadOrCreateKeys(configured: string | undefined, dataDir: string): EncryptionKey[] {
  if (configured) return parseEncryptionKeys(configured);
  const file = join(dataDir, 'payload-keys');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, generateKeySpec() + '\n', { mode: 0o600 });
  }
  return parseEncryptionKeys(readFileSync(file, 'utf8'));
}

/**
 * Encrypts every payload with AES-256-GCM so nothing the service puts in Temporal (credentials, contact
 * e-mails, reasons) is stored in plaintext. The key id travels in the metadata so keys can be rotated.
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: EncryptionKey;

  constructor(keys: EncryptionKey[]) {
    const [current] = keys;
    if (!current) throw new EncryptionKeyError('at least one encryption key is needed');
    this.current = current;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  // async so a failure rejects the promise rather than throwing at the call.
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(IV_LENGTH);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: Buffer.from(ENCODING),
          [KEY_ID_METADATA]: Buffer.from(this.current.id),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || Buffer.from(encoding).toString() !== ENCODING) return payload;
      const keyId = Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString();
      const key = this.byId.get(keyId);
      if (!key) throw new EncryptionKeyError(`payload encrypted with unknown key id "${keyId}"`);
      const data = Buffer.from(payload.data ?? []);
      const iv = data.subarray(0, IV_LENGTH);
      const tag = data.subarray(data.length - TAG_LENGTH);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_LENGTH, data.length - TAG_LENGTH)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

/**
 * The worker's side of the codec. A payload it cannot decrypt with a key it holds — plaintext sent straight to
 * the Temporal frontend, an unknown key id, tampered bytes — is handed to the workflow as `UNAUTHENTIC_PAYLOAD`,
 * which the workflow refuses (a start ends, an update is rejected). Throwing instead would fail the workflow
 * task on every retry, and one forged message would stall the grant for good. The client and the codec
 * endpoint keep the plain codec: operators still read every payload of a history, the SDK's plaintext ones too.
 */
export class AuthenticatingCodec implements PayloadCodec {
  private readonly refused = defaultPayloadConverter.toPayload(UNAUTHENTIC_PAYLOAD);

  constructor(private readonly codec: EncryptionCodec) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    return this.codec.encode(payloads);
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(
      payloads.map(async (payload) => {
        if (!isEncrypted(payload)) return this.refused;
        try {
          const [decoded] = await this.codec.decode([payload]);
          return decoded ?? this.refused;
        } catch {
          return this.refused;
        }
      }),
    );
  }
}

function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding !== undefined && encoding !== null && Buffer.from(encoding).toString() === ENCODING;
}

/** Loaded by path because the worker bundles it into the workflow sandbox. */
export const FAILURE_CONVERTER_PATH = fileURLToPath(
  new URL('../workflows/failure-converter.cjs', import.meta.url),
);

/**
 * The data converter shared by client and worker: payloads encrypted, and failure messages and stack traces
 * moved into an encrypted payload so provider error texts are not stored in plaintext either.
 */
export function createDataConverter(codec: EncryptionCodec): DataConverter {
  return {
    payloadCodecs: [codec],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}

/** The worker's data converter: as the client's, but what it cannot decrypt is refused (`AuthenticatingCodec`). */
export function createWorkerDataConverter(codec: EncryptionCodec): DataConverter {
  return {
    payloadCodecs: [new AuthenticatingCodec(codec)],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}
