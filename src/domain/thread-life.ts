import { randomUUID } from 'node:crypto';

/** A fresh thread life, for an append that creates a thread. */
export function newThreadLife(): string {
  return randomUUID();
}

/**
 * The life of a thread stored before lives existed: derived from its creation time, so it is
 * the same on every read and differs for a thread deleted and re-created later (which gets a
 * fresh life anyway). The Redis scripts compute the same string (`'legacy-' .. createdAt`).
 */
export function legacyThreadLife(createdAt: string): string {
  return `legacy-${createdAt}`;
}
