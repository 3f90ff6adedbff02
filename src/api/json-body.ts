import type { FastifyInstance } from 'fastify';
import { invalid } from './problem.js';

// `fatal`: a byte sequence that is not UTF-8 throws, where the default decoder would put U+FFFD in its place
// and the service would store a name nobody sent.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON bodies as Fastify parses them (prototype poisoning refused, an empty body a 400), after a check that they
 * are well-formed UTF-8: a body that is not is a 400 naming the body.
 */
export function parseJsonStrictly(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(invalid([{ field: 'body', rule: 'must be valid UTF-8' }]), undefined);
      return;
    }
    void parseJson(request, text, done);
  });
}
