import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogFormat } from '../../src/logger.js';

function capture(format: LogFormat = 'json') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('info', sink, format), text: () => lines.join('') };
}

describe('the logger', () => {
  it('redacts credentials and credential-carrying URLs wherever they are logged', () => {
    const { logger, text } = capture();
    logger.info(
      { password: 'p4ss-top-level', credential: { username: 'sup-x', password: 'p4ss-nested' } },
      'a',
    );
    logger.info({ req: { headers: { authorization: 'Bearer tok-en-0123456789' } } }, 'b');
    logger.info({ token: 'api-token-0123456789', settings: { bindPassword: 'bind-s3cret' } }, 'c');
    logger.info(
      {
        notifications: {
          smtpUrl: 'smtp://u:smtp-s3cret@mail:587',
          webhookUrl: 'https://hooks/T0/B0/hook-s3cret',
        },
        databaseUrl: 'postgres://registry:db-s3cret@db/registry',
      },
      'd',
    );
    logger.info(
      {
        err: { response: { headers: { authorization: 'SSWS okta-s3cret' } } },
        okta: { apiToken: 'okta-api-s3cret' },
        entra: { clientSecret: 'graph-s3cret' },
        config: { apiTokens: [{ token: 'listed-s3cret' }], payloadEncryptionKeys: 'k1:key-s3cret' },
        input: { supplier: { contactEmail: 'contact@s3cret.example' } },
      },
      'e',
    );
    const out = text();
    for (const secret of [
      'p4ss-top-level',
      'p4ss-nested',
      'tok-en-0123456789',
      'api-token-0123456789',
      'bind-s3cret',
      'smtp-s3cret',
      'hook-s3cret',
      'db-s3cret',
      'okta-s3cret',
      'okta-api-s3cret',
      'graph-s3cret',
      'listed-s3cret',
      'key-s3cret',
      'contact@s3cret.example',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(14);
  });

  it('writes one readable line per event for a terminal, redacted the same way', () => {
    const { logger, text } = capture('pretty');
    logger.info({ grantId: 'g-1', credential: { password: 'p4ss-pretty' } }, 'grant provisioned');
    logger.error({ token: 'tok-pretty-0123456789' }, 'provider refused');
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: grant provisioned .*"grantId":"g-1"/);
    expect(lines[1]).toMatch(/ERROR: provider refused/);
    expect(text()).not.toMatch(/p4ss-pretty|tok-pretty/);
    expect(text()).toContain('[redacted]');
  });
});
