import type { ThreadHead } from '../domain/types.js';
import { builder } from './builder.js';
import { SET_RETENTION_ERRORS, TRIM_ERRORS } from './errors.js';
import { RetentionPolicyInputRef } from './retention-policy.js';
import { ThreadRef } from './thread.js';

/**
 * The retention mutations, trimThread and setThreadRetention (scope write, like every mutation):
 * thin over Storage.trimThread / setThreadRetention, which validate and apply the rules of
 * src/domain/retention.ts (docs/architecture.md, "Retention").
 */

const TrimThreadInputRef = builder.inputType('TrimThreadInput', {
  description: "Drops a prefix of a thread's journal: the entries with seq < beforeSeq.",
  fields: (t) => ({
    threadId: t.id({ required: true, description: 'The thread to trim; it must exist.' }),
    beforeSeq: t.int({
      required: true,
      description:
        "Drop the entries with seq < beforeSeq (0..rev). At or below firstSeq: nothing to do (success, dropped 0). Above the lowest pointer rev of a checkpoint pointing at the thread: TrimBeyondCheckpoint.",
    }),
    expectedRev: t.int({ description: "The thread's rev must be this (else RevisionConflict); omitted: no check." }),
  }),
});

const TrimThreadSuccessRef = builder.objectRef<{ thread: ThreadHead; dropped: number }>('TrimThreadSuccess').implement({
  description: 'The thread now starts at beforeSeq (or already did). Seqs and rev are unchanged.',
  fields: (t) => ({
    thread: t.field({ type: ThreadRef, description: 'The thread after the trim (firstSeq = its new lowest stored seq).', resolve: (r) => r.thread }),
    dropped: t.exposeInt('dropped', { description: 'Entries removed by this call (0 when the thread already started at or after beforeSeq).' }),
  }),
});

const SetThreadRetentionInputRef = builder.inputType('SetThreadRetentionInput', {
  description: "Sets or clears a thread's retention policy.",
  fields: (t) => ({
    threadId: t.id({ required: true, description: 'The thread; it must exist.' }),
    retention: t.field({
      type: RetentionPolicyInputRef,
      description: 'The new policy, applied at once as far as checkpoints allow; null (or {}) clears the policy (nothing trimmed comes back).',
    }),
  }),
});

const SetThreadRetentionSuccessRef = builder.objectRef<{ thread: ThreadHead }>('SetThreadRetentionSuccess').implement({
  description: 'The policy is set and was applied once.',
  fields: (t) => ({
    thread: t.field({ type: ThreadRef, description: 'The thread with its new policy, after applying it.', resolve: (r) => r.thread }),
  }),
});

builder.mutationFields((t) => ({
  trimThread: t.field({
    type: TrimThreadSuccessRef,
    description:
      "Drops the entries of a thread below beforeSeq, atomically with its checks, never past a checkpoint's pointer. Idempotent. rev and the remaining seqs never change; the dropped entries are never readable again.",
    errors: {
      types: TRIM_ERRORS,
      union: { name: 'TrimThreadResult', description: 'The trimmed thread, or why nothing was dropped.' },
    },
    args: { input: t.arg({ type: TrimThreadInputRef, required: true, description: 'Which thread, and up to where.' }) },
    resolve: (_root, { input }, ctx) =>
      ctx.storage.trimThread({
        namespace: ctx.namespace,
        threadId: input.threadId,
        beforeSeq: input.beforeSeq,
        expectedRev: input.expectedRev,
      }),
  }),
  setThreadRetention: t.field({
    type: SetThreadRetentionSuccessRef,
    description: "Sets (or clears) a thread's retention policy and applies it at once, as far as checkpoints allow.",
    errors: {
      types: SET_RETENTION_ERRORS,
      union: { name: 'SetThreadRetentionResult', description: 'The thread with its new policy, or why nothing changed.' },
    },
    args: { input: t.arg({ type: SetThreadRetentionInputRef, required: true, description: 'The thread and its policy.' }) },
    resolve: async (_root, { input }, ctx) => ({
      thread: await ctx.storage.setThreadRetention({ namespace: ctx.namespace, threadId: input.threadId, retention: input.retention ?? null }),
    }),
  }),
}));
