/**
 * The `application/json` body parser. JSON must be UTF-8 (RFC 8259 §8.1): a body with invalid
 * UTF-8 is refused with a 400 naming the first bad byte, where decoding it as a string (Fastify's
 * default) would silently turn those bytes into U+FFFD and send the provider, the audit record and
 * the prompt hash a prompt the client never wrote. Prototype keys are refused later, with their
 * path, by the request validator (find-unsafe-json.ts), so this is a plain JSON.parse. Bodies are read
 * as sent, never decompressed: one with a Content-Encoding is refused, naming it.
 */
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { AigwError, ERRORS } from '../errors.js';
import { UNPARSABLE_JSON } from './plugins/error-handler.js';


export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    const coding = contentCoding(request.headers['content-encoding']);
    if (coding !== undefined) {
      done(new AigwError(ERRORS.INVALID_REQUEST, `Unsupported request body: Content-Encoding '${coding}' is not supported. Send the JSON body uncompressed.`), undefined);
      return;
    }
    if (body.length === 0) {
      done(new AigwError(ERRORS.INVALID_JSON, `${UNPARSABLE_JSON} The body is empty.`), undefined);
      return;
    }
    if (!isUtf8(body)) {
      done(new AigwError(ERRORS.INVALID_JSON, `${UNPARSABLE_JSON} It is not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8Offset(body)}).`), undefined);
      return;
    }
    // A byte-order mark is tolerated, as Fastify's parser did.
    const start = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8', start));
    } catch {
      done(new AigwError(ERRORS.INVALID_JSON, UNPARSABLE_JSON), undefined);
      return;
    }
    done(null, parsed);
  });
}

/**
 * The body's content coding when it is not the identity, quoted short. A compressed body would
 * otherwise reach JSON.parse as its compressed bytes and be called "not valid UTF-8".
 */
function contentCoding(header: string | undefined): string | undefined {
  const coding = header?.trim() ?? '';
  if (coding === '' || coding.toLowerCase() === 'identity') return undefined;
  return coding.length > 40 ? `${coding.slice(0, 39)}…` : coding;
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence (the error path only). */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let offset = 0;
  while (offset < bytes.length) {
    const lead = bytes[offset] ?? 0;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    // isUtf8 of the one sequence rules out overlong forms, surrogates and bad continuation bytes.
    if (length === 0 || offset + length > bytes.length || !isUtf8(bytes.subarray(offset, offset + length))) return offset;
    offset += length;
  }
  return bytes.length;
}
