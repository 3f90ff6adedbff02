import { describe, expect, it } from 'vitest';
import { EncryptionCodec, generateKeySpec, parseEncryptionKeys } from '../../src/codec.js';
import { createSealer } from '../../src/sealing.js';

const credential = { username: 'site-admin', password: 'Xy7-unguessable-Q2' };

describe('sealed credentials', () => {
  it('keeps no plaintext and opens to the same credential', async () => {
    const sealer = createSealer(new EncryptionCodec(parseEncryptionKeys(generateKeySpec('k1'))));
    const sealed = await sealer.seal(credential);
    expect(Buffer.from(sealed, 'base64').toString('latin1')).not.toContain(credential.password);
    expect(await sealer.open(sealed)).toEqual(credential);
  });

  it('opens what an older key sealed after the keys rotate, and refuses an unknown key', async () => {
    const old = generateKeySpec('old');
    const sealed = await createSealer(new EncryptionCodec(parseEncryptionKeys(old))).seal(credential);
    const rotated = createSealer(
      new EncryptionCodec(parseEncryptionKeys(`${generateKeySpec('new')},${old}`)),
    );
    expect(await rotated.open(sealed)).toEqual(credential);
    const stranger = createSealer(new EncryptionCodec(parseEncryptionKeys(generateKeySpec('other'))));
    await expect(stranger.open(sealed)).rejects.toThrow();
  });
});
