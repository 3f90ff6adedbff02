import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** A request as the sink received it. */
export interface ReceivedRequest {
  /** The body parsed as JSON, or the raw text when it is not JSON. */
  body: any;
  /** Request headers, names lower-case, repeated ones joined with `, `. */
  headers: Record<string, string>;
}

/** A local HTTP endpoint for webhook tests on 127.0.0.1: records every request, answers with one status. */
export interface WebhookSink {
  /** A Slack-like address with a secret path (`/services/T…/B…/<token>`); any path on the sink is accepted. */
  url: string;
  /** Every request received so far, oldest first. */
  requests: ReceivedRequest[];
  /** The status of later answers (initially 200, with body `ok` like Slack; other statuses say `error`). */
  setStatus(code: number): void;
  /** Resolves with the requests once at least `count` have arrived; rejects after `timeoutMs` (5 s). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Stops listening and closes open (keep-alive) connections. */
  stop(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function flatHeaders(request: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Starts a webhook sink. Requests are recorded before the answer is sent, even when the status is an error. */
export async function startWebhookSink(): Promise<WebhookSink> {
  const requests: ReceivedRequest[] = [];
  let status = 200;
  const server = createServer((request, response) => {
    readBody(request).then(
      (body) => {
        requests.push({ body, headers: flatHeaders(request) });
        response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'error');
      },
      () => response.writeHead(400).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const token = Math.random().toString(36).slice(2, 14);

  return {
    url: `http://127.0.0.1:${port}/services/T0SINK/B0SINK/${token}`,
    requests,
    setStatus: (code) => {
      status = code;
    },
    waitFor: async (count, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} request(s) within ${timeoutMs} ms, got ${requests.length}`);
        }
        await delay(10);
      }
      return [...requests];
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
