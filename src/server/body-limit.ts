import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/**
 * Wraps a Node request listener (Yoga) with a request-body size limit: a declared
 * `content-length` over `maxBytes` is refused at once, and a body that streams past it (chunked,
 * or lying about its length) is refused as soon as it does. Both answer 413 with a JSON
 * GraphQL-shaped error and `Connection: close`, without calling `next`. Bodies within the limit
 * are buffered here and handed to `next` as an already-read body (so Yoga does not read the
 * socket again, and Yoga's own per-request TransformStream limit can stay off: it doubled the
 * cost of a small request). GET/HEAD/OPTIONS pass straight through. It does NOT limit headers or URL
 * length (Node's own `maxHeaderSize` does) nor WebSocket messages (`ws` `maxPayload` does).
 */
export function withBodyLimit(maxBytes: number, next: RequestListener): RequestListener {
  return (req, res) => {
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') {
      next(req, res);
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (declared > maxBytes) {
      tooLarge(req, res, maxBytes, declared);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const onData = (chunk: Buffer): void => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        chunks.length = 0;
        tooLarge(req, res, maxBytes, size);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (done) return;
      done = true;
      req.off('data', onData);
      if (size > 0) setReadBody(req, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      next(req, res);
    });
    req.once('error', () => {
      if (done) return;
      done = true;
      if (!res.headersSent) res.writeHead(400, { connection: 'close' }).end();
    });
  };
}

/** Bodies up to this size are handed over as a Buffer; larger ones as a Blob (see setReadBody). */
const BUFFER_HANDOVER_MAX = 16 * 1024;

/**
 * Hands an already-read body to @whatwg-node/server (Yoga's adapter), which takes `req.body`
 * instead of the stream when set. A Buffer is the cheapest hand-over, but the adapter calls
 * Object.keys() on it, which is O(bytes) (≈4 s for 16 MiB); larger bodies therefore go as a
 * Blob, which costs a fixed ~0.1 ms more, with one own property so the adapter does not take it
 * for an empty body.
 */
function setReadBody(req: IncomingMessage, body: Buffer): void {
  const target = req as IncomingMessage & { body: unknown };
  if (body.length <= BUFFER_HANDOVER_MAX) {
    target.body = body;
    return;
  }
  const blob = new Blob([body as unknown as BlobPart]) as Blob & { readBytes: number };
  blob.readBytes = body.length;
  target.body = blob;
}

function tooLarge(req: IncomingMessage, res: ServerResponse, maxBytes: number, got: number): void {
  const message = `request body too large: at most ${maxBytes} bytes (got ${got}${req.headers['content-length'] ? '' : ' so far'})`;
  const payload = JSON.stringify({ errors: [{ message, extensions: { code: 'PAYLOAD_TOO_LARGE', http: { status: 413 } } }] });
  res.writeHead(413, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    connection: 'close',
  });
  res.end(payload);
  // Discard the rest of the body without buffering it, so the client can read the 413; a client
  // that keeps sending after the answer went out gets its connection cut a moment later.
  req.resume();
  res.once('finish', () => {
    if (!req.complete) setTimeout(() => req.socket.destroy(), 1000).unref();
  });
}
