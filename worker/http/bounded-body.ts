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
 * The most a refused body is read on, to be thrown away. Answering before
 * the body is consumed drops the connection under `wrangler dev` (its proxy
 * reports "Network connection lost" and the client sees a reset or a 500), so
 * the rest is read and discarded, never kept; the platform itself stops a
 * body at 100 MB.
 */
const MAX_DISCARDED_BYTES = 100 * 1024 * 1024;

/**
 * The body as text, read at most `limit` bytes far: a Content-Length over the
 * limit is refused unread, and a body without one is cut off as soon as it
 * passes the limit. Invalid UTF-8 becomes U+FFFD, as everywhere else.
 */
export async function readBoundedText(request: Request, limit: number = MAX_REQUEST_BODY_BYTES): Promise<string> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await discard(reader, 0);
    throw new BodyTooLargeError(limit);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await discard(reader, total);
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

async function discard(reader: ReadableStreamDefaultReader<Uint8Array>, alreadyRead: number): Promise<void> {
  let total = alreadyRead;
  try {
    while (total <= MAX_DISCARDED_BYTES) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The client went away: nothing left to answer.
  }
}
