import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * A minimal `fetch` over node:http with keep-alive, for the saver's many small sequential
 * requests: on Node 20 the global fetch (undici, web streams) costs several times more per small
 * request than node:http. Supports what the typed client uses: POST with string body and headers,
 * then `status` and `text()`. It does NOT support streaming bodies, redirects or AbortSignal, and
 * its responses implement only `status`, `ok`, `headers`, `text()` and `json()`.
 */
export function createHttpFetch(): { fetch: typeof fetch; close(): void } {
  const httpAgent = new HttpAgent({ keepAlive: true });
  const httpsAgent = new HttpsAgent({ keepAlive: true });
  const fetchImpl = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> =>
    new Promise((resolve, reject) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      const secure = url.protocol === 'https:';
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, name) => {
        headers[name] = value;
      });
      const req = (secure ? httpsRequest : httpRequest)(
        url,
        { method: init.method ?? 'GET', headers, agent: secure ? httpsAgent : httpAgent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 500;
            resolve(new SmallResponse(status, text, res.headers) as unknown as Response);
          });
        },
      );
      req.on('error', reject);
      req.end(typeof init.body === 'string' ? init.body : undefined);
    });
  return {
    fetch: fetchImpl as typeof fetch,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** The part of a fetch Response the typed client reads (a full Response costs more than the request). */
class SmallResponse {
  constructor(
    readonly status: number,
    private readonly body: string,
    private readonly rawHeaders: Record<string, string | string[] | undefined>,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get headers(): Headers {
    const headers = new Headers();
    for (const [name, value] of Object.entries(this.rawHeaders)) if (typeof value === 'string') headers.set(name, value);
    return headers;
  }

  async text(): Promise<string> {
    return this.body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body) as unknown;
  }
}
