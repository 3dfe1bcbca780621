import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** What to answer for Node's parser error codes (others: 400, "malformed HTTP request"). */
const STATUS_BY_CODE: Record<string, [number, string, string]> = {
  HPE_INVALID_EOF_STATE: [400, 'Bad Request', 'the request ended before its body was complete'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'request headers too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'request not received in time'],
  HPE_HEADERS_TIMEOUT: [408, 'Request Timeout', 'request headers not received in time'],
};

/**
 * Answers requests Node's HTTP parser refuses (a body cut short by a half-closed socket, a broken
 * chunk, bytes that are not HTTP, headers over `maxHeaderSize`, a request timeout) with a
 * GraphQL-shaped JSON error instead of Node's bare `400 Bad Request`: `extensions.code`
 * BAD_REQUEST with status 400 (431 for oversized headers), or REQUEST_TIMEOUT with 408; then it
 * closes the socket. A socket the client reset, or whose
 * response has already started, is just destroyed. It does NOT see errors on requests Node
 * parsed (those reach the request listener).
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (error.code === 'ECONNRESET' || !socket.writable || started) {
      socket.destroy();
      return;
    }
    socket.on('error', () => socket.destroy()); // the client may reset while we answer
    const [status, reason, message] = STATUS_BY_CODE[error.code ?? ''] ?? [400, 'Bad Request', 'malformed HTTP request'];
    const code = status === 408 ? 'REQUEST_TIMEOUT' : 'BAD_REQUEST';
    const payload = JSON.stringify({ errors: [{ message: `${message} (${error.code ?? 'unknown'})`, extensions: { code, http: { status } } }] });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(payload)}\r\nconnection: close\r\n\r\n${payload}`,
    );
  });
}
