import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config.js';

/**
 * The server's structured JSON logger (pino, one line per event, to stdout). `silent` logs
 * nothing (tests). It does NOT log each request: only lifecycle events and failures.
 */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'cryo' } });
}
