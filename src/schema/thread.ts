import type { Entry, ThreadHead } from '../domain/types.js';
import { validateId, validatePageSize } from '../domain/validate.js';
import { builder } from './builder.js';
import { toConnection } from './connection.js';
import { decodeThreadCursor, threadCursor } from './cursors.js';
import { DeleteResultRef } from './delete-result.js';
import { EntryConnectionRef, EntryInputRef, EntryRef } from './entry.js';
import { readEntryPage } from './entry-page.js';
import { APPEND_ERRORS } from './errors.js';
import { RetentionPolicyInputRef, RetentionPolicyRef } from './retention-policy.js';
import { DateTimeScalar, JSONObjectScalar } from './scalars.js';

/** The Thread type, its queries (thread, threads) and mutations (appendEntries, deleteThread); trims are in retention.ts. */

/** The Thread object type (shape: the domain ThreadHead; entries are paged on demand). */
export const ThreadRef = builder.objectRef<ThreadHead>('Thread').implement({
  description:
    'An append-only journal. It exists once something was appended to it; its rev is the number of entries ever appended. A trim drops a prefix: the entries from firstSeq to rev - 1 are stored.',
  fields: (t) => ({
    id: t.exposeID('id', { description: "The thread's id (1..256 chars, no control characters)." }),
    rev: t.exposeInt('rev', { description: 'The number of entries ever appended (the next entry gets seq = rev). Trims do not lower it.' }),
    firstSeq: t.exposeInt('firstSeq', {
      description: 'The lowest seq still stored: 0 until trimmed. The thread holds rev - firstSeq entries; reads below firstSeq start at firstSeq.',
    }),
    retention: t.field({
      type: RetentionPolicyRef,
      nullable: true,
      description: "The thread's retention policy; null when it has none.",
      resolve: (thread) => thread.retention,
    }),
    metadata: t.field({
      type: JSONObjectScalar,
      description: 'A JSON object set by the append that created the thread.',
      resolve: (thread) => thread.metadata,
    }),
    createdAt: t.field({ type: DateTimeScalar, description: 'When the first entry was appended.', resolve: (th) => th.createdAt }),
    updatedAt: t.field({
      type: DateTimeScalar,
      description: 'When the thread last changed (an append, a trim, a policy change).',
      resolve: (th) => th.updatedAt,
    }),
    entries: t.field({
      type: EntryConnectionRef,
      description:
        'A page of the stored entries, ordered by seq. Forward: first/after; backward (e.g. the tail): last/before. Neither: the first 50 (default page size). A cursor below firstSeq (trimmed) pages from firstSeq.',
      args: {
        first: t.arg.int({ description: 'Page size when paging forward (1..500).' }),
        after: t.arg.string({ description: 'Return entries after this cursor.' }),
        last: t.arg.int({ description: 'Page size when paging backward (1..500); with no `before`, the newest entries.' }),
        before: t.arg.string({ description: 'Return entries before this cursor.' }),
      },
      resolve: (thread, args, ctx) => readEntryPage(ctx.storage, ctx.namespace, thread, args, ctx.limits),
    }),
  }),
});

/** ThreadConnection / ThreadEdge (relay plugin). */
const ThreadConnectionRef = builder.connectionObject(
  { type: ThreadRef, name: 'ThreadConnection', description: 'A page of threads, ordered by id.' },
  { name: 'ThreadEdge', description: 'A thread with its cursor.' },
);

builder.queryFields((t) => ({
  thread: t.field({
    type: ThreadRef,
    nullable: true,
    description: 'The thread with this id, or null when it does not exist.',
    args: { id: t.arg.id({ required: true, description: "The thread's id." }) },
    resolve: (_root, args, ctx) =>
      ctx.storage.getThread({ namespace: ctx.namespace, threadId: validateId(args.id, 'id', ctx.limits) }),
  }),
  threads: t.field({
    type: ThreadConnectionRef,
    description: 'Threads of the namespace, ordered by id (UTF-16 code unit order).',
    args: {
      first: t.arg.int({ description: 'Page size (1..500, default 50).' }),
      after: t.arg.string({ description: 'Return threads after this cursor.' }),
    },
    resolve: async (_root, args, ctx) => {
      const first = validatePageSize(args.first, 'first', ctx.limits);
      const after = args.after == null ? null : decodeThreadCursor(args.after, 'after');
      const page = await ctx.storage.listThreads({ namespace: ctx.namespace, first, after });
      return toConnection(page.items, (thread) => threadCursor(thread.id), { hasNextPage: page.hasMore, hasPreviousPage: after !== null });
    },
  }),
}));

const AppendEntriesInputRef = builder.inputType('AppendEntriesInput', {
  description: 'An atomic append: all entries or none.',
  fields: (t) => ({
    threadId: t.id({ required: true, description: 'The thread to append to; created by the first append.' }),
    entries: t.field({
      type: [EntryInputRef],
      required: true,
      description: 'The entries, in order (1..1000 by default). They get seqs rev, rev+1, …',
    }),
    expectedRev: t.int({
      description:
        "Optimistic concurrency. Omitted: append unconditionally; 0: the thread must not exist yet; n: the thread's rev must be n (else RevisionConflict). A retry with the same entry ids is recognised and writes nothing.",
    }),
    metadata: t.field({ type: JSONObjectScalar, description: "The thread's metadata; used only when this call creates the thread." }),
    retention: t.field({
      type: RetentionPolicyInputRef,
      description:
        "The thread's retention policy; used only when this call creates the thread. Omitted or null: the server's default (CRYO_RETENTION_MAX_ENTRIES, CRYO_RETENTION_MAX_AGE_SECONDS); {} : no policy.",
    }),
  }),
});

interface AppendSuccess {
  thread: ThreadHead;
  entries: Entry[];
  replayed: boolean;
}

const AppendEntriesSuccessRef = builder.objectRef<AppendSuccess>('AppendEntriesSuccess').implement({
  description: 'The entries were appended (or this call was recognised as a retry of one that already succeeded).',
  fields: (t) => ({
    thread: t.field({ type: ThreadRef, description: 'The thread after the append.', resolve: (r) => r.thread }),
    entries: t.field({ type: [EntryRef], description: 'The entries of this call, with their seqs.', resolve: (r) => r.entries }),
    replayed: t.exposeBoolean('replayed', {
      description: 'True when this call was a retry of an append that already succeeded: nothing new was written.',
    }),
  }),
});

builder.mutationFields((t) => ({
  appendEntries: t.field({
    type: AppendEntriesSuccessRef,
    description: 'Appends entries to a thread, atomically, with optional optimistic concurrency (expectedRev).',
    errors: {
      types: APPEND_ERRORS,
      union: { name: 'AppendEntriesResult', description: 'The appended entries, or why nothing was written.' },
    },
    args: { input: t.arg({ type: AppendEntriesInputRef, required: true, description: 'What to append, and where.' }) },
    resolve: (_root, { input }, ctx) =>
      ctx.storage.appendEntries({
        namespace: ctx.namespace,
        threadId: input.threadId,
        entries: input.entries,
        expectedRev: input.expectedRev,
        metadata: input.metadata,
        retention: input.retention,
      }),
  }),
  deleteThread: t.field({
    type: DeleteResultRef,
    description: 'Deletes a thread and its entries. Idempotent. Checkpoints pointing at it are left alone (thaw then reports MissingThread).',
    args: { id: t.arg.id({ required: true, description: 'The thread to delete.' }) },
    resolve: async (_root, args, ctx) => ({
      deleted: await ctx.storage.deleteThread({ namespace: ctx.namespace, threadId: validateId(args.id, 'id', ctx.limits) }),
    }),
  }),
}));
