import { describe, expect, it } from 'vitest';
import { isTransient } from '../../src/client/resubscribe.js';

const errors = (code: string) => [{ message: 'x', extensions: { code } }];

describe('isTransient', () => {
  it('retries storage outages, bugs and a checkpoint stream the server ended for reading too slowly', () => {
    for (const code of ['STORAGE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR', 'SUBSCRIBER_TOO_SLOW']) expect(isTransient(errors(code)), code).toBe(true);
  });

  it("does not retry the caller's own mistakes", () => {
    for (const code of ['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'FORBIDDEN_ORIGIN']) expect(isTransient(errors(code)), code).toBe(false);
  });
});
