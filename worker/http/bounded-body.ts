/**
 * The most bytes a request body may hold. The largest request the worker
 * takes is a queued one of 100,000 userids of 64 characters (quoted and
 * comma-separated) with the largest `data`: about 6.7 MB. Anything bigger is
 * refused before it is read to the end, parsed, hashed or verified.
 */
export const MAX_REQUEST_BODY_BYTES = 8 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`the request body is larger than ${limit} bytes`);
    this.limit = limit;
  }
}

const utf8 = new TextDecoder();

/**
 * The body as text, read at most `limit` bytes far: a Content-Length over the
 * limit is refused unread, and a body without one is cut off as soon as it
 * passes the limit. Invalid UTF-8 becomes U+FFFD, as everywhere else.
 */
export async function readBoundedText(request: Request, limit: number = MAX_REQUEST_BODY_BYTES): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await request.body?.cancel().catch(() => undefined);
    throw new BodyTooLargeError(limit);
  }
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return utf8.decode(bytes);
}
