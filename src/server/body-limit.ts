import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { sendGraphQLError, type RefusedRequest } from './graphql-error-response.js';
import { foreignCharset } from './request-media-type.js';

/** Options of {@link withBodyLimit}. */
export interface BodyLimitOptions {
  /** A body that sends no byte for this long is refused with 408. @default 10_000 */
  idleMs?: number;
}

const DEFAULT_IDLE_MS = 10_000;

/**
 * Wraps a Node request listener (Yoga) so that every request with a body gets an answer:
 * - a declared `content-length` over `maxBytes` is refused at once, and a body that streams past
 *   it (chunked, or lying about its length) as soon as it does: 413 PAYLOAD_TOO_LARGE;
 * - a body that stalls (no byte for `idleMs`) is refused with 408 REQUEST_TIMEOUT;
 * - a body that is not valid UTF-8 is refused with 400 BAD_REQUEST (multipart aside, and a body
 *   declaring another charset, which Yoga refuses with 415: server/request-media-type.ts);
 * - an upload the client aborts ends quietly: its bytes are dropped, nothing is called;
 * - any other body, empty included, is buffered here and handed to `next` as an already-read
 *   body (so Yoga does not read the socket again — after the stream ended it would wait forever —
 *   and Yoga's own per-request TransformStream limit can stay off: it doubled the cost of a small
 *   request).
 * Refusals are GraphQL-shaped errors (server/graphql-error-response.ts) with `Connection: close`,
 * and `next` is not called. GET/HEAD/OPTIONS pass straight through. It does NOT limit headers or
 * URL length (Node's own `maxHeaderSize` does) nor WebSocket messages (`ws` `maxPayload` does).
 */
export function withBodyLimit(maxBytes: number, next: RequestListener, options: BodyLimitOptions = {}): RequestListener {
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  return (req, res) => {
    const method = req.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') {
      next(req, res);
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (declared > maxBytes) {
      refuse(req, res, tooLarge(req, maxBytes, declared));
      return;
    }
    const reading: Reading = { req, res, next, maxBytes, idleMs, chunks: [], size: 0, done: false, idle: undefined };
    reading.idle = setTimeout(onIdle, idleMs, reading);
    (req as IncomingMessage & { [READING]?: Reading })[READING] = reading;
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onAbort);
    req.once('close', onClose);
  };
}

/**
 * One body being read. The listeners below are shared module functions that find their request's
 * state here (no closures per request: under load each closure made per request cost a name
 * definition and young-generation space; bench/README.md).
 */
interface Reading {
  req: IncomingMessage;
  res: ServerResponse;
  next: RequestListener;
  maxBytes: number;
  idleMs: number;
  chunks: Buffer[];
  size: number;
  done: boolean;
  idle: NodeJS.Timeout | undefined;
}

/** Where a request keeps its Reading (a property, not a WeakMap: V8's minor GC keeps WeakMap values alive). */
const READING = Symbol('cryo.bodyReading');

function readingOf(req: IncomingMessage): Reading | undefined {
  return (req as IncomingMessage & { [READING]?: Reading })[READING];
}

function stop(reading: Reading): void {
  reading.done = true;
  reading.chunks.length = 0;
  clearTimeout(reading.idle);
  reading.req.off('data', onData);
  (reading.req as IncomingMessage & { [READING]?: Reading })[READING] = undefined;
}

function onIdle(reading: Reading): void {
  if (reading.done) return;
  stop(reading);
  const message = `request body stalled: no byte for ${reading.idleMs} ms (got ${reading.size} bytes)`;
  refuse(reading.req, reading.res, { status: 408, code: 'REQUEST_TIMEOUT', message });
}

function onData(this: IncomingMessage, chunk: Buffer): void {
  const reading = readingOf(this);
  if (!reading || reading.done) return;
  reading.size += chunk.length;
  if (reading.size > reading.maxBytes) {
    stop(reading);
    refuse(reading.req, reading.res, tooLarge(reading.req, reading.maxBytes, reading.size));
    return;
  }
  reading.idle?.refresh();
  reading.chunks.push(chunk);
}

function onEnd(this: IncomingMessage): void {
  const reading = readingOf(this);
  if (!reading || reading.done) return;
  const { req, res, chunks, size } = reading;
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  stop(reading);
  if (!isUtf8(body) && !isMultipart(req) && !foreignCharset(req.headers['content-type'] ?? '')) {
    refuse(req, res, { status: 400, code: 'BAD_REQUEST', message: 'request body is not valid UTF-8 (the only encoding accepted)' });
    return;
  }
  setReadBody(req, body);
  reading.next(req, res);
}

/**
 * The client went away mid-body (reset, or closed before sending all it declared): there is
 * nobody to answer; drop what was read and make sure the socket is released.
 */
function onAbort(this: IncomingMessage): void {
  const reading = readingOf(this);
  if (!reading || reading.done) return;
  stop(reading);
  this.socket.destroy();
}

function onClose(this: IncomingMessage): void {
  if (!this.complete) onAbort.call(this);
}

/** Bodies up to this size are handed over as a Buffer or parsed; larger ones as a Blob (see setReadBody). */
const BUFFER_HANDOVER_MAX = 16 * 1024;

/**
 * Hands an already-read body to @whatwg-node/server (Yoga's adapter), which takes `req.body`
 * instead of the stream when `Object.keys(req.body)` is not empty. That test is O(bytes) on a
 * Buffer (≈10 µs for a 300-byte append on this VM, ≈4 s for 16 MiB) and empty for an empty body.
 * So: a JSON body that parses to a non-empty plain object goes as that object — the adapter then
 * answers `request.json()` with it (Yoga's JSON parser calls exactly that; JSON.parse runs once,
 * here instead of there); any other small body goes as a Buffer; larger and empty bodies as a
 * Blob, which costs a fixed ~0.1 ms more, with one own property so the adapter takes it. A body
 * that is not JSON, or not a JSON object, is handed over as bytes, so Yoga's own parser answers
 * it exactly as before (invalid JSON, arrays, `null`, …).
 */
function setReadBody(req: IncomingMessage, body: Buffer): void {
  const target = req as IncomingMessage & { body: unknown };
  if (body.length > 0 && body.length <= BUFFER_HANDOVER_MAX) {
    target.body = parsedJsonObject(req, body) ?? body;
    return;
  }
  const blob = new Blob([body as unknown as BlobPart]) as Blob & { readBytes: number };
  blob.readBytes = body.length;
  target.body = blob;
}

/** The body as a parsed JSON object when the request says JSON and the body is a non-empty plain object; else undefined. */
function parsedJsonObject(req: IncomingMessage, body: Buffer): object | undefined {
  const contentType = req.headers['content-type'] ?? '';
  if (!JSON_MEDIA_TYPE.test(contentType) || foreignCharset(contentType)) return undefined;
  // Only an object can be one: `{` after optional JSON whitespace (no BOM: Yoga decodes it otherwise).
  let at = 0;
  while (at < body.length && (body[at] === 0x20 || body[at] === 0x0a || body[at] === 0x0d || body[at] === 0x09)) at++;
  if (body[at] !== 0x7b) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  for (const _key in parsed) return parsed;
  return undefined;
}

/** `application/json` (the only JSON request media type Yoga's POST parser and the adapter treat alike). */
const JSON_MEDIA_TYPE = /^\s*application\/json\s*(;|$)/i;

function isMultipart(req: IncomingMessage): boolean {
  return /^\s*multipart\//i.test(req.headers['content-type'] ?? '');
}

function tooLarge(req: IncomingMessage, maxBytes: number, got: number): RefusedRequest {
  const message = `request body too large: at most ${maxBytes} bytes (got ${got}${req.headers['content-length'] ? '' : ' so far'})`;
  return { status: 413, code: 'PAYLOAD_TOO_LARGE', message };
}

/**
 * Sends the refusal, then discards the rest of the body without buffering it, so the client can
 * read the answer; a client that keeps sending after the answer went out gets its connection cut
 * a moment later.
 */
function refuse(req: IncomingMessage, res: ServerResponse, refused: RefusedRequest): void {
  sendGraphQLError(req, res, refused);
  req.resume();
  res.once('finish', () => {
    if (!req.complete) setTimeout(() => req.socket.destroy(), 1000).unref();
  });
}
