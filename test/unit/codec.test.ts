import { describe, expect, it } from 'vitest';
import { defaultPayloadConverter } from '@temporalio/common';
import { isAuthentic, UNAUTHENTIC_PAYLOAD } from '../../workflows/authentic.js';
import {
  AuthenticatingCodec,
  EncryptionCodec,
  EncryptionKeyError,
  generateKeySpec,
  parseEncryptionKeys,
} from '../../src/codec.js';

const secret = {
  credential: { username: 'sup-acme', password: 'Hunter2-very-secret' },
  contactEmail: 'bob@acme.example',
};

describe('payload encryption', () => {
  it('stores neither the password nor the e-mail in plaintext, and decodes back', async () => {
    const codec = new EncryptionCodec(parseEncryptionKeys(generateKeySpec('k1')));
    const payload = defaultPayloadConverter.toPayload(secret);
    const [encoded] = await codec.encode([payload]);
    const raw = Buffer.from(encoded!.data!).toString('latin1');
    expect(raw).not.toContain('Hunter2');
    expect(raw).not.toContain('bob@acme');
    expect(Buffer.from(encoded!.metadata!['encryption-key-id']!).toString()).toBe('k1');
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(secret);
  });

  it('decodes with an old key after rotation and encrypts with the new one', async () => {
    const oldSpec = generateKeySpec('old');
    const newSpec = generateKeySpec('new');
    const before = new EncryptionCodec(parseEncryptionKeys(oldSpec));
    const [encoded] = await before.encode([defaultPayloadConverter.toPayload(secret)]);
    const after = new EncryptionCodec(parseEncryptionKeys(`${newSpec},${oldSpec}`));
    const [decoded] = await after.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(secret);
    const [fresh] = await after.encode([defaultPayloadConverter.toPayload(secret)]);
    expect(Buffer.from(fresh!.metadata!['encryption-key-id']!).toString()).toBe('new');
  });

  it('refuses a tampered payload and an unknown key', async () => {
    const codec = new EncryptionCodec(parseEncryptionKeys(generateKeySpec('k1')));
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(secret)]);
    const data = Buffer.from(encoded!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...encoded!, data }])).rejects.toThrow();
    const other = new EncryptionCodec(parseEncryptionKeys(generateKeySpec('k2')));
    await expect(other.decode([encoded!])).rejects.toThrow(EncryptionKeyError);
  });

  it('rejects malformed key specs', () => {
    expect(() => parseEncryptionKeys('k1:short')).toThrow(/32 bytes/);
    expect(() => parseEncryptionKeys('')).toThrow(/no key/);
  });
});

describe("the worker's codec", () => {
  it('hands the workflow what it decrypts, and the refusal marker for anything else, never an error', async () => {
    const spec = generateKeySpec('k1');
    const ours = new EncryptionCodec(parseEncryptionKeys(spec));
    const worker = new AuthenticatingCodec(ours);
    const [sealed] = await ours.encode([defaultPayloadConverter.toPayload(secret)]);
    const [foreign] = await new EncryptionCodec(parseEncryptionKeys(generateKeySpec('k2'))).encode([
      defaultPayloadConverter.toPayload(secret),
    ]);
    const tampered = { ...sealed!, data: Buffer.from(sealed!.data!).fill(7, 20, 30) };
    const plaintext = defaultPayloadConverter.toPayload({ actor: 'alice' });

    const decoded = await worker.decode([sealed!, plaintext, foreign!, tampered]);
    const values = decoded.map((p) => defaultPayloadConverter.fromPayload(p));
    expect(values[0]).toEqual(secret);
    for (const refused of values.slice(1)) {
      expect(refused).toEqual(UNAUTHENTIC_PAYLOAD);
      expect(isAuthentic(refused)).toBe(false);
    }
    expect(isAuthentic(values[0])).toBe(true);
    // What it encodes, the plain codec reads: the client and the codec endpoint use that one.
    const [encoded] = await worker.encode([defaultPayloadConverter.toPayload(secret)]);
    expect(defaultPayloadConverter.fromPayload((await ours.decode([encoded!]))[0]!)).toEqual(secret);
  });
});
