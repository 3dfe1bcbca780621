import { GraphQLError } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  RevisionConflict,
  StorageCorrupted,
  StorageUnavailable,
  SubscriberTooSlow,
  ValidationError,
} from '../../src/domain/errors.js';
import { createMaskError } from '../../src/server/mask-error.js';
import { createYogaLogging } from '../../src/server/yoga-logging.js';

/** A pino logger at trace level whose lines land in `lines` (level as pino's label). */
function recordingLogger() {
  const lines: { level: string; msg: string; [key: string]: unknown }[] = [];
  const logger = pino(
    { level: 'trace', formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => void lines.push(JSON.parse(line)) },
  );
  return { logger, lines };
}

/** A resolver's error as graphql-js hands it to maskError: wrapped, with a path. */
const wrapped = (error: Error) => new GraphQLError(error.message, { path: ['field'], originalError: error });

function mask(error: Error, production = false) {
  const { logger, lines } = recordingLogger();
  const masked = createMaskError({ production, logger })(wrapped(error), 'Unexpected error.') as GraphQLError;
  return { masked, lines };
}

describe('maskError: one error model', () => {
  it('a ValidationError is BAD_USER_INPUT with its field, logged at debug only', () => {
    const { masked, lines } = mask(new ValidationError('must not be empty', 'id'));
    expect(masked.message).toBe('id: must not be empty');
    expect(masked.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(masked.path).toEqual(['field']);
    expect(masked.originalError).toBeUndefined();
    expect(lines.map((l) => l.level)).toEqual(['debug']);
    expect(lines[0]).toMatchObject({ field: 'id', reason: 'must not be empty' });
  });

  it('a slow checkpoint subscriber is SUBSCRIBER_TOO_SLOW with its message, logged at info', () => {
    const { masked, lines } = mask(new SubscriberTooSlow(3));
    expect(masked.extensions).toEqual({ code: 'SUBSCRIBER_TOO_SLOW' });
    expect(masked.message).toMatch(/more than 3 undelivered checkpoint events; resubscribe/);
    expect(lines.map((l) => l.level)).toEqual(['info']);
  });

  it('other domain errors keep their code and message, logged at debug', () => {
    const { masked, lines } = mask(new RevisionConflict(1, 2));
    expect(masked.extensions).toEqual({ code: 'REVISION_CONFLICT' });
    expect(masked.message).toBe('revision conflict: expected rev 1, actual rev 2');
    expect(lines.map((l) => l.level)).toEqual(['debug']);
  });

  it('StorageUnavailable is a warning; its detail is hidden in production', () => {
    expect(mask(new StorageUnavailable('redis went away')).masked.message).toBe('redis went away');
    const { masked, lines } = mask(new StorageUnavailable('redis went away'), true);
    expect(masked.message).toBe('storage unavailable: retry later');
    expect(masked.extensions).toEqual({ code: 'STORAGE_UNAVAILABLE' });
    expect(lines.map((l) => l.level)).toEqual(['warn']);
  });

  it('StorageCorrupted is an error with a fixed message: the location stays in the log', () => {
    const { masked, lines } = mask(new StorageCorrupted('bad checksum', '/data/t/x.log'));
    expect(masked.message).toBe('stored data failed an integrity check; the operator has been told');
    expect(masked.extensions).toEqual({ code: 'STORAGE_CORRUPTED' });
    expect(lines.map((l) => l.level)).toEqual(['error']);
    expect(JSON.stringify(lines[0])).toContain('/data/t/x.log');
  });

  it('anything else is a bug: INTERNAL_SERVER_ERROR, logged as an error, details only outside production', () => {
    const dev = mask(new Error('disk on fire'));
    expect(dev.masked.message).toBe('Unexpected error.');
    expect(dev.masked.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', originalError: { message: 'disk on fire' } });
    expect(dev.lines.map((l) => [l.level, l.msg])).toEqual([['error', 'unexpected error']]);
    const prod = mask(new Error('disk on fire'), true);
    expect(prod.masked.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    expect(prod.masked.extensions).not.toHaveProperty('originalError');
  });

  it('GraphQL errors of parsing, validation and coercion pass unchanged and unlogged; production hides suggestions', () => {
    const { logger, lines } = recordingLogger();
    const hint = () => new GraphQLError('Field "x" is not defined by type "EntryInput". Did you mean "id"?');
    const dev = createMaskError({ production: false, logger })(hint(), 'Unexpected error.');
    expect(dev.message).toContain('Did you mean "id"?');
    const prod = createMaskError({ production: true, logger })(hint(), 'Unexpected error.');
    expect(prod.message).toBe('Field "x" is not defined by type "EntryInput". [Suggestion hidden]');
    expect(lines).toEqual([]);
  });
});

describe('variable coercion errors', () => {
  it('get BAD_USER_INPUT (graphql-js leaves them without a code), unlogged', () => {
    const { logger, lines } = recordingLogger();
    const error = new GraphQLError('Variable "$n" got invalid value "x"; Int cannot represent non-integer value: "x"');
    const masked = createMaskError({ production: false, logger })(error, 'Unexpected error.') as GraphQLError;
    expect(masked.message).toBe(error.message);
    expect(masked.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(lines).toEqual([]);
    const validation = new GraphQLError('Cannot query field "x".', { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(createMaskError({ production: false, logger })(validation, 'Unexpected error.')).toBe(validation);
  });
});

describe("Yoga's log lines", () => {
  it("Yoga's copy of a replaced error goes to debug; its text lines keep their level with the text as message", () => {
    const { logger, lines } = recordingLogger();
    const yoga = createYogaLogging(logger);
    yoga.error(new GraphQLError('id: must not be empty'));
    yoga.warn('something odd', { a: 1 });
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['debug', 'graphql-yoga replaced an error (maskError logged it at its level)'],
      ['warn', 'graphql-yoga: something odd'],
    ]);
    expect(lines.some((l) => l.msg === 'yoga')).toBe(false);
  });
});
