import type { Logger } from 'pino';

type YogaLogFn = (...args: unknown[]) => void;

/** Yoga's `logging` option: its four levels as pino calls. */
export interface YogaLogging {
  debug: YogaLogFn;
  info: YogaLogFn;
  warn: YogaLogFn;
  error: YogaLogFn;
}

/**
 * Yoga's log lines, through the server's pino logger. Yoga calls `error(err)` for every error
 * that `maskError` replaced — client mistakes, domain errors, storage outages and bugs alike —
 * but maskError (mask-error.ts) has already logged each one at the level it deserves, so Yoga's
 * copy of an error goes to `debug`. Yoga's text lines keep their level, with its text as the
 * message. It does NOT decide what is a bug: maskError does.
 */
export function createYogaLogging(logger: Logger): YogaLogging {
  const line =
    (level: 'debug' | 'info' | 'warn' | 'error'): YogaLogFn =>
    (first, ...rest) => {
      if (first instanceof Error) {
        logger.debug({ err: first }, 'graphql-yoga replaced an error (maskError logged it at its level)');
        return;
      }
      logger[level](rest.length > 0 ? { details: rest } : {}, `graphql-yoga: ${String(first)}`);
    };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}
