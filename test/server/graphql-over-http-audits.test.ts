import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * Audits allowed to end in `warn` (never `error`), each with the reason. Only an audit whose
 * requirement is MAY in the GraphQL-over-HTTP spec may be listed (checked below). Empty today:
 * every audit passes, MAY ones included.
 */
const ALLOWED_WARNINGS: Record<string, string> = {};

let t: TestApp | undefined;
const audits = serverAudits({
  url: () => {
    if (!t) throw new Error('the server is not started');
    return t.graphqlUrl;
  },
});

describe("graphql-http's GraphQL-over-HTTP server audits against a real server", () => {
  beforeAll(async () => {
    t = await startTestApp('memory');
  });
  afterAll(() => t?.close());

  it('runs the whole audit list (the package did not hand us an empty one)', () => {
    expect(audits.length).toBeGreaterThanOrEqual(61);
    expect(new Set(audits.map((a) => a.id)).size).toBe(audits.length);
    for (const id of Object.keys(ALLOWED_WARNINGS)) {
      expect(audits.find((a) => a.id === id)?.name, `${id} is allowed to warn`).toMatch(/^MAY /);
    }
  });

  for (const audit of audits) {
    it(`${audit.id} ${audit.name}`, async () => {
      const result = await audit.fn();
      const reason = 'reason' in result ? `${result.reason}${'response' in result ? ` — ${result.response.status} ${await result.response.text()}` : ''}` : '';
      if (result.status === 'warn' && audit.id in ALLOWED_WARNINGS) return;
      expect(result.status, reason).toBe('ok');
    });
  }
});
