import { defaultPayloadConverter } from '@temporalio/common';
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { TokenAuthenticator } from '../../src/api/auth.js';
import type { GrantService } from '../../src/api/grant-service.js';
import { EncryptionCodec, generateKeySpec, parseEncryptionKeys } from '../../src/codec.js';
import { createLogger } from '../../src/logger.js';
import { fakeRegistry } from './openapi-helpers.js';

const UI = 'http://127.0.0.1:8233';
const TOKENS = {
  rita: 'rita-requester-token-0123',
  rob: 'rob-requester-token-01234',
  audrey: 'audrey-auditor-token-0123',
  ada: 'ada-admin-token-012345678',
};

const oldKey = generateKeySpec('old');
const currentKey = generateKeySpec('current');
const codec = new EncryptionCodec(parseEncryptionKeys(`${currentKey},${oldKey}`));

let app: FastifyInstance;

beforeAll(async () => {
  app = await buildApp({
    authenticator: new TokenAuthenticator([
      { name: 'rita', roles: ['requester'], token: TOKENS.rita },
      { name: 'rob', roles: ['requester'], token: TOKENS.rob },
      { name: 'audrey', roles: ['auditor'], token: TOKENS.audrey },
      { name: 'ada', roles: ['admin'], token: TOKENS.ada },
    ]),
    // Only invalid bodies reach it here: validation answers before the service is called.
    service: {} as GrantService,
    registry: fakeRegistry(),
    policy: { providers: ['ldap'], maxGrantDays: 90 },
    logger: createLogger('silent'),
    codec: { codec, corsOrigins: [UI] },
    rateLimitPerMinute: 3,
  });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
});

const post = (url: string, token: string | null, body: unknown = {}, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    payload: body as object,
  });

describe('rate limiting of changing requests', () => {
  it('answers 429 with Retry-After once a token has used its minute, other tokens and reads unaffected', async () => {
    for (let i = 0; i < 3; i++) expect((await post('/v1/grants', TOKENS.rita)).statusCode).toBe(400);
    const limited = await post('/v1/grants', TOKENS.rita);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ status: 429, title: 'Too many requests' });
    expect(limited.json().detail).toContain('at most 3 changing requests a minute');
    // Another action of the same token counts against the same minute.
    expect(
      (await post('/v1/grants/00000000-0000-4000-8000-000000000000/revoke', TOKENS.rita)).statusCode,
    ).toBe(429);

    // Another token has its own minute; reading is never limited.
    expect((await post('/v1/grants', TOKENS.rob)).statusCode).toBe(400);
    const read = await app.inject({
      method: 'GET',
      url: '/v1/grants',
      headers: { authorization: `Bearer ${TOKENS.rita}` },
    });
    expect(read.statusCode).toBe(200);
  });

  it('counts callers without a valid token by address', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await post('/v1/grants', 'not-a-token')).statusCode);
    expect(answers).toEqual([401, 401, 401, 429]);
  });
});

describe('security headers', () => {
  it('are on every answer, errors included', async () => {
    const answers = [
      await app.inject({ method: 'GET', url: '/healthz' }),
      await app.inject({ method: 'GET', url: '/v1/grants' }),
      await app.inject({ method: 'GET', url: '/nowhere' }),
    ];
    for (const answer of answers) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
      expect(answer.headers['x-frame-options']).toBe('DENY');
      expect(answer.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    }
    // Swagger UI keeps the policy it needs.
    const docs = await app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
  });
});

describe('the codec endpoint', () => {
  const secret = { contactEmail: 'bob@acme.example', password: 'Hunter2-very-secret' };
  const asJson = (
    payloads: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }[],
  ) => ({
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(
        Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
      data: Buffer.from(p.data ?? []).toString('base64'),
    })),
  });

  it('decodes what the service encrypted, with the current key or an older one', async () => {
    const plain = defaultPayloadConverter.toPayload(secret);
    const [current] = await codec.encode([plain]);
    const [old] = await new EncryptionCodec(parseEncryptionKeys(oldKey)).encode([plain]);
    const answer = await post('/codec/decode', TOKENS.ada, asJson([current!, old!]), {
      'x-namespace': 'default',
    });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const decoded = answer.json().payloads as { metadata: Record<string, string>; data: string }[];
    expect(decoded).toHaveLength(2);
    for (const payload of decoded) {
      expect(Buffer.from(payload.metadata.encoding!, 'base64').toString()).toBe('json/plain');
      expect(JSON.parse(Buffer.from(payload.data, 'base64').toString())).toEqual(secret);
    }
  });

  it('encodes with the current key, and the round trip gives the payload back', async () => {
    const plain = asJson([defaultPayloadConverter.toPayload(secret)]);
    const encoded = await post('/codec/encode', TOKENS.ada, plain);
    expect(encoded.statusCode).toBe(200);
    const payload = encoded.json().payloads[0];
    expect(Buffer.from(payload.metadata['encryption-key-id'], 'base64').toString()).toBe('current');
    expect(Buffer.from(payload.data, 'base64').toString('latin1')).not.toContain('Hunter2');
    const decoded = await post('/codec/decode', TOKENS.ada, encoded.json());
    expect(decoded.json()).toEqual(plain);
  });

  it('takes an admin token: decoded histories hold what the encryption hides', async () => {
    const body = asJson(await codec.encode([defaultPayloadConverter.toPayload(secret)]));
    const anonymous = await post('/codec/decode', null, body);
    expect(anonymous.statusCode).toBe(401);
    const auditor = await post('/codec/decode', TOKENS.audrey, body);
    expect(auditor.statusCode).toBe(403);
    for (const answer of [anonymous, auditor]) expect(answer.body).not.toContain('Hunter2');
  });

  it('refuses tampered ciphertext and unknown keys with a 400, never a 500', async () => {
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(secret)]);
    const tampered = Buffer.from(encoded!.data!);
    tampered[tampered.length - 1]! ^= 1;
    const foreign = await new EncryptionCodec(parseEncryptionKeys(generateKeySpec('elsewhere'))).encode([
      defaultPayloadConverter.toPayload(secret),
    ]);
    for (const payloads of [[{ ...encoded!, data: tampered }], foreign]) {
      const answer = await post('/codec/decode', TOKENS.ada, asJson(payloads));
      expect(answer.statusCode).toBe(400);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(answer.json().errors).toEqual([
        { field: 'payloads', rule: 'must be payloads this service can decode' },
      ]);
    }
    const malformed = await post('/codec/decode', TOKENS.ada, { payloads: [{ data: '%%%' }] });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors[0].field).toBe('payloads.0.data');
  });

  it('answers the Temporal UI’s preflight from its origin, and no other', async () => {
    const preflight = (origin: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/codec/decode',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-namespace',
        },
      });
    const allowed = await preflight(UI);
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe(UI);
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    expect(String(allowed.headers['access-control-allow-headers']).toLowerCase()).toContain('x-namespace');
    const other = await preflight('https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // The rest of the API is not for browsers of other origins.
    const api = await app.inject({ method: 'GET', url: '/v1/grants', headers: { origin: UI } });
    expect(api.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('is not rate limited: reading a long history takes many calls', async () => {
    const body = asJson([defaultPayloadConverter.toPayload(secret)]);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => post('/codec/encode', TOKENS.ada, body)),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(200));
  });
});

describe('requests refused before they reach a route', () => {
  it('answers problems for an undecodable path and an over-long path parameter', async () => {
    for (const url of ['/v1/grants/%ZZ', `/v1/grants/${'a'.repeat(101)}`]) {
      const answer = await app.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${TOKENS.audrey}` },
      });
      expect(answer.statusCode, url).toBe(400);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(answer.json().errors[0].field).toBe('path');
    }
  });

  it('takes JSON only: a text/plain body is a 415', async () => {
    const answer = await post('/codec/encode', TOKENS.ada, 'payloads', { 'content-type': 'text/plain' });
    expect(answer.statusCode).toBe(415);
    expect(answer.headers['content-type']).toContain('application/problem+json');
  });

  it('names the codec’s own body limit, and refuses unknown members of a payload', async () => {
    const big = await post('/codec/decode', TOKENS.ada, {
      payloads: [{ data: 'A'.repeat(5 * 1024 * 1024) }],
    });
    expect(big.statusCode).toBe(400);
    expect(big.json().errors).toEqual([{ field: 'body', rule: 'must be at most 4194304 bytes' }]);
    const stray = await post('/codec/decode', TOKENS.ada, { payloads: [{ d: 'AAAA' }] });
    expect(stray.statusCode).toBe(400);
    expect(stray.json().errors[0].field).toBe('payloads.0.d');
  });

  it('answers headers over 16 KiB with a problem, on a real socket', async () => {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = new URL(address);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 431 /);
    expect(raw).toContain('Content-Type: application/problem+json');
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4));
    expect(body).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
  });
});
