import type { Checkpoint, Entry } from '../domain/types.js';
import { validateId } from '../domain/validate.js';
import type { CheckpointEvent, ThreadEntriesEvent } from '../live/events.js';
import type { PullStream } from '../live/pull-stream.js';
import { builder } from './builder.js';
import type { CryoContext } from './context.js';
import { CheckpointRef } from './checkpoint.js';
import { EntryRef } from './entry.js';

/**
 * The Subscription root (threadEntries, checkpointEvents) and its event types, served over
 * graphql-ws and SSE. The streams come from the app's LiveHub in the context (src/live):
 * storage is the truth, notifications only wake readers up.
 */

type CaughtUp = Extract<ThreadEntriesEvent, { type: 'caught-up' }>;
type ThreadDeleted = Extract<ThreadEntriesEvent, { type: 'thread-deleted' }>;
type JournalTrimmed = Extract<ThreadEntriesEvent, { type: 'journal-trimmed' }>;
type CheckpointSaved = Extract<CheckpointEvent, { type: 'checkpoint-saved' }>;
type CheckpointDeleted = Extract<CheckpointEvent, { type: 'checkpoint-deleted' }>;

const CaughtUpRef = builder.objectRef<CaughtUp>('CaughtUp').implement({
  description:
    'The replay is over: every entry with fromSeq ≤ seq < rev has been delivered (but those a JournalTrimmed skipped), and the next Entry has seq = rev. Sent exactly once per subscription.',
  fields: (t) => ({
    threadId: t.exposeID('threadId', { description: 'The thread subscribed to.' }),
    rev: t.exposeInt('rev', {
      description:
        'The next seq this subscription delivers: the thread\'s rev when the replay ended (or fromSeq, when fromSeq was beyond it).',
    }),
  }),
});

const ThreadDeletedRef = builder.objectRef<ThreadDeleted>('ThreadDeleted').implement({
  description: 'The thread was deleted; the subscription completes after this event. Entries not yet delivered are gone.',
  fields: (t) => ({
    threadId: t.exposeID('threadId', { description: 'The deleted thread.' }),
  }),
});

const JournalTrimmedRef = builder.objectRef<JournalTrimmed>('JournalTrimmed').implement({
  description:
    'The next seq this subscription needed was trimmed (a replay from below the thread\'s firstSeq, or a reader overtaken by a trim): ' +
    'the entries below firstSeq are gone for good, and the stream continues from firstSeq, in order. Sent once per trim that skips entries of this subscription.',
  fields: (t) => ({
    threadId: t.exposeID('threadId', { description: 'The thread subscribed to.' }),
    firstSeq: t.exposeInt('firstSeq', { description: "The thread's lowest stored seq: the next Entry has seq ≥ firstSeq." }),
  }),
});

const TYPE_NAMES = { 'caught-up': 'CaughtUp', 'thread-deleted': 'ThreadDeleted', 'journal-trimmed': 'JournalTrimmed' } as const;

const ThreadEntriesEventRef = builder.unionType('ThreadEntriesEvent', {
  description:
    'One event of a threadEntries subscription: an Entry (in seq order), the CaughtUp marker, JournalTrimmed (entries skipped because they were trimmed), or ThreadDeleted.',
  types: [EntryRef, CaughtUpRef, ThreadDeletedRef, JournalTrimmedRef],
  resolveType: (value) => ('type' in value ? TYPE_NAMES[value.type] : 'Entry'),
});

const CheckpointSavedRef = builder.objectRef<CheckpointSaved>('CheckpointSaved').implement({
  description:
    'A checkpoint was written (putCheckpoint or hibernate). It is read from storage when the event is handled: if it was overwritten meanwhile, this is the newer one (and events of the revisions it covers are skipped).',
  fields: (t) => ({
    checkpoint: t.field({ type: CheckpointRef, description: 'The checkpoint as stored.', resolve: (event): Checkpoint => event.checkpoint }),
  }),
});

const CheckpointDeletedRef = builder.objectRef<CheckpointDeleted>('CheckpointDeleted').implement({
  description: 'A checkpoint was deleted.',
  fields: (t) => ({
    agentType: t.exposeString('agentType', { description: 'The agent type of the deleted checkpoint.' }),
    agentId: t.exposeString('agentId', { description: 'The agent id of the deleted checkpoint.' }),
  }),
});

const CheckpointEventRef = builder.unionType('CheckpointEvent', {
  description: 'One event of a checkpointEvents subscription.',
  types: [CheckpointSavedRef, CheckpointDeletedRef],
  resolveType: (value) => (value.type === 'checkpoint-saved' ? 'CheckpointSaved' : 'CheckpointDeleted'),
});

builder.subscriptionType({
  description: 'Live streams (scope read), over graphql-ws (same URL as HTTP) or Server-Sent Events (Accept: text/event-stream).',
  authScopes: { read: true },
});

builder.subscriptionField('threadEntries', (t) =>
  t.field({
    type: ThreadEntriesEventRef,
    description:
      'A thread journal, live. fromSeq given: the entries with seq ≥ fromSeq, then CaughtUp, then new entries as they are appended. ' +
      'fromSeq omitted: CaughtUp with the current rev, then new entries. Ordered by seq with no gaps and no duplicates; ' +
      'entries that were trimmed before this subscription read them are skipped with one JournalTrimmed naming the new firstSeq; ' +
      'a thread that does not exist yet streams once created; ThreadDeleted ends the stream. ' +
      'To resume after a disconnect, subscribe again with fromSeq = last seen seq + 1.',
    args: {
      threadId: t.arg.id({ required: true, description: 'The thread to follow (it need not exist yet).' }),
      fromSeq: t.arg.int({ description: 'Replay from this seq (≥ 0). Omitted: only entries appended after the CaughtUp.' }),
    },
    subscribe: async (_root, args, ctx) => {
      const threadId = validateId(args.threadId, 'threadId', ctx.limits);
      return counted(ctx, () => ctx.live.threadEntries({ namespace: ctx.namespace, threadId, fromSeq: args.fromSeq }));
    },
    resolve: (event: ThreadEntriesEvent): Entry | CaughtUp | ThreadDeleted | JournalTrimmed => (event.type === 'entry' ? event.entry : event),
  }),
);

builder.subscriptionField('checkpointEvents', (t) =>
  t.field({
    type: CheckpointEventRef,
    description:
      'Checkpoint saves (putCheckpoint, hibernate) and deletes of the namespace, as they happen, filtered by agentType when given. ' +
      'No replay: list checkpoints to get the current state. A client that falls more than 1,000 events behind gets an error and must resubscribe.',
    args: {
      agentType: t.arg.string({ description: 'Only checkpoints of this agent type. Omitted: all.' }),
    },
    subscribe: async (_root, args, ctx) => {
      const agentType = args.agentType == null ? null : validateId(args.agentType, 'agentType', ctx.limits);
      return counted(ctx, () => ctx.live.checkpointEvents({ namespace: ctx.namespace, agentType }));
    },
    resolve: (event: CheckpointEvent) => event,
  }),
);

/** Starts a stream counted against the caller's subscription cap (TOO_MANY_SUBSCRIPTIONS past it); released when it ends. */
async function counted<T>(ctx: CryoContext, start: () => Promise<PullStream<T>>): Promise<AsyncIterableIterator<T>> {
  const release = ctx.fairUse.startSubscription(ctx.client);
  try {
    const stream = await start();
    stream.onEnded(release);
    return stream;
  } catch (error) {
    release();
    throw error;
  }
}
