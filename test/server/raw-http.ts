import { connect } from 'node:net';

/** An HTTP response read off a raw socket. */
export interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** How {@link rawExchange} ends its side of the connection after writing. */
export type RawEnding = 'half-close' | 'keep-open';

/**
 * Writes `request` (bytes exactly as given: a request line, headers, a body — valid or not) on a
 * fresh TCP connection to 127.0.0.1:`port`, then half-closes it or keeps it open, and resolves
 * with the first HTTP response once its body is complete (content-length or chunked) or the
 * server closes. Rejects with "no answer" when nothing complete came within `timeoutMs`, and
 * when the server closed without answering. Always destroys its socket.
 */
export function rawExchange(port: number, request: Buffer | string, ending: RawEnding = 'half-close', timeoutMs = 1000): Promise<RawReply> {
  const bodiless = /^HEAD /.test(typeof request === 'string' ? request : request.subarray(0, 5).toString('latin1'));
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let settled = false;
    const settle = (error: Error | null, reply?: RawReply): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply!);
    };
    const timer = setTimeout(() => settle(new Error(`no answer within ${timeoutMs} ms (got ${JSON.stringify(received.toString('latin1').slice(0, 200))})`)), timeoutMs);
    socket.on('connect', () => {
      socket.write(request);
      if (ending === 'half-close') socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const reply = parseReply(received, false, bodiless);
      if (reply) settle(null, reply);
    });
    socket.on('error', () => undefined); // the close below reports it
    socket.on('close', () => {
      const reply = parseReply(received, true, bodiless);
      settle(reply ? null : new Error(`connection closed without an answer (got ${JSON.stringify(received.toString('latin1').slice(0, 200))})`), reply ?? undefined);
    });
  });
}

/**
 * The response in `bytes` when complete (or, once the connection closed, whatever body came); null
 * otherwise. A response to HEAD, a 204 and a 304 have no body whatever their headers say.
 */
function parseReply(bytes: Buffer, closed: boolean, bodiless: boolean): RawReply | null {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const [statusLine, ...lines] = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  if (!status) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = bytes.subarray(headEnd + 4);
  if (bodiless || status === 204 || status === 304) return { status, headers, body: '' };
  if (headers['transfer-encoding'] === 'chunked') {
    const body = dechunk(rest);
    return body !== null ? { status, headers, body } : closed ? { status, headers, body: rest.toString('utf8') } : null;
  }
  const length = headers['content-length'] === undefined ? null : Number(headers['content-length']);
  if (length !== null && rest.length >= length) return { status, headers, body: rest.subarray(0, length).toString('utf8') };
  return closed ? { status, headers, body: rest.toString('utf8') } : null;
}

/** The decoded body of a complete chunked encoding; null while incomplete. */
function dechunk(bytes: Buffer): string | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return null;
    if (size === 0) return Buffer.concat(parts).toString('utf8');
    if (bytes.length < lineEnd + 2 + size + 2) return null;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/**
 * A request as raw bytes (POST /graphql unless `target` says otherwise): the given headers (a
 * Content-Length is added unless one is given or `chunked`), then the body.
 */
export function rawPost(headers: Record<string, string>, body: Buffer | string = '', target = 'POST /graphql'): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const all: Record<string, string> = { host: 'localhost', ...headers };
  const named = Object.keys(all).map((k) => k.toLowerCase());
  if (!named.includes('content-length') && !named.includes('transfer-encoding')) all['content-length'] = String(bytes.length);
  const head = `${target} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
}
