import { ValidationError } from '../domain/errors.js';
import type { Limits } from '../domain/limits.js';
import type { Entry, ThreadHead } from '../domain/types.js';
import { validatePageSize } from '../domain/validate.js';
import type { Storage } from '../storage/types.js';
import { decodeEntryCursor, entryCursor } from './cursors.js';
import { toConnection, type Connection } from './connection.js';

/** A page of entries: what Thread.entries resolves to. */
export interface EntryPage extends Connection<Entry> {
  /** The number of entries the thread stores (rev - firstSeq, as of the head read). */
  totalCount: number;
}

/** Relay arguments of Thread.entries. */
export interface EntryPageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/**
 * The seq window [start, end) a page covers in a thread storing the seqs firstSeq..rev - 1.
 * Because seqs are contiguous, any page is computed from the head alone: no scan. A cursor
 * below firstSeq (its entry was trimmed) pages from firstSeq. `first` and `last` are page
 * sizes (1..maxPageSize); neither means `first: defaultPageSize`. Throws ValidationError
 * naming the bad argument.
 */
export function entryWindow(
  head: Pick<ThreadHead, 'rev' | 'firstSeq'>,
  args: EntryPageArgs,
  limits: Limits,
): { start: number; end: number } {
  let start = head.firstSeq;
  let end = head.rev;
  if (args.after != null) start = Math.max(start, decodeEntryCursor(args.after, 'after') + 1);
  if (args.before != null) end = Math.min(end, decodeEntryCursor(args.before, 'before'));
  if (args.first != null && args.last != null) {
    throw new ValidationError('pass either first or last, not both', 'last');
  }
  if (args.last != null) {
    const last = validatePageSize(args.last, 'last', limits);
    start = Math.max(start, end - last);
  } else {
    const first = validatePageSize(args.first, 'first', limits);
    end = Math.min(end, start + first);
  }
  return { start, end: Math.max(start, end) };
}

/**
 * Reads one page of a thread's entries with a single range read. `totalCount` is what the head
 * given stores (rev - firstSeq); entries appended after that head was read are not included. A
 * thread deleted or trimmed in between yields a shorter page, never an error.
 */
export async function readEntryPage(
  storage: Storage,
  namespace: string,
  thread: ThreadHead,
  args: EntryPageArgs,
  limits: Limits,
): Promise<EntryPage> {
  const { start, end } = entryWindow(thread, args, limits);
  const entries =
    end > start ? await storage.readEntries({ namespace, threadId: thread.id, fromSeq: start, limit: end - start }) : [];
  const page = toConnection(entries, (entry) => entryCursor(entry.seq), {
    hasPreviousPage: start > thread.firstSeq,
    hasNextPage: end < thread.rev,
  });
  return { ...page, totalCount: thread.rev - thread.firstSeq };
}
