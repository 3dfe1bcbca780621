import { count } from './format.js';

/** A thread's retention policy as the API returns it (Thread.retention); null bounds set no limit. */
export interface Retention {
  maxEntries?: number | null;
  maxAgeSeconds?: number | null;
}

const UNITS: [seconds: number, label: string][] = [
  [86_400, 'd'],
  [3_600, 'h'],
  [60, 'min'],
];

/**
 * A duration in the largest unit that divides it evenly: 604800 → "7 d", 5400 → "90 min",
 * 45 → "45 s". Does not round: a duration that no unit divides stays in seconds.
 */
export function durationLabel(seconds: number): string {
  for (const [size, label] of UNITS) if (seconds >= size && seconds % size === 0) return `${count(seconds / size)} ${label}`;
  return `${count(seconds)} s`;
}

/**
 * The short badge text of a policy: "keeps last 1,000", "keeps 7 d", "keeps last 1,000 · 7 d";
 * null for no policy (null, or neither bound set).
 */
export function retentionLabel(retention: Retention | null | undefined): string | null {
  const parts: string[] = [];
  if (retention?.maxEntries != null) parts.push(`last ${count(retention.maxEntries)}`);
  if (retention?.maxAgeSeconds != null) parts.push(durationLabel(retention.maxAgeSeconds));
  return parts.length === 0 ? null : `keeps ${parts.join(' · ')}`;
}

/** The hover text explaining a policy (what the server does with it); '' for no policy. */
export function retentionTitle(retention: Retention | null | undefined): string {
  const parts: string[] = [];
  if (retention?.maxEntries != null) parts.push(`keeps the newest ${count(retention.maxEntries)} entries (applied on append)`);
  if (retention?.maxAgeSeconds != null) parts.push(`drops entries older than ${durationLabel(retention.maxAgeSeconds)} (applied by the server's sweep)`);
  return parts.length === 0 ? '' : `Retention: the server ${parts.join(' and ')}, never past a checkpoint's pointer.`;
}

/**
 * What a thread stores, for a list line: "600 entries · rev 1,000" (stored = rev - firstSeq;
 * rev counts every entry ever appended, trimmed ones included).
 */
export function storedLabel(thread: { rev: number; firstSeq: number }): string {
  const stored = Math.max(0, thread.rev - thread.firstSeq);
  return `${count(stored)} ${stored === 1 ? 'entry' : 'entries'} · rev ${count(thread.rev)}`;
}
