import {
  CheckpointNotFound,
  InvalidThreadPointer,
  MissingThread,
  RevisionConflict,
  ThreadDiverged,
  ThreadHistoryTruncated,
  ThreadMismatch,
  ThreadRevRegression,
  TrimBeyondCheckpoint,
  ValidationError,
} from '../domain/errors.js';
import { builder } from './builder.js';

/**
 * The `Error` interface and one object type per domain failure (src/domain/errors.ts), so the
 * errors plugin can return them as union members. Infrastructure failures (storage outages,
 * corruption) are deliberately absent: they stay GraphQL errors with `extensions.code`.
 */

const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'A failure the caller can act on. Every typed error of a result union implements it.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, for people (not for parsing).' }),
  }),
});

builder.objectType(RevisionConflict, {
  name: 'RevisionConflict',
  description: 'The expectedRev given did not match the stored revision (of the thread or the checkpoint); nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    expectedRev: t.exposeInt('expectedRev', { description: 'The revision the caller expected.' }),
    actualRev: t.exposeInt('actualRev', { description: 'The revision actually stored (0 when it does not exist).' }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'An input broke a rule or a limit; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    field: t.exposeString('field', {
      nullable: true,
      description: 'The input path at fault, e.g. `entries[3].kind`; null when no single field is at fault.',
    }),
  }),
});

builder.objectType(InvalidThreadPointer, {
  name: 'InvalidThreadPointer',
  description: "The checkpoint's thread pointer names more entries than the stored thread holds.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    threadId: t.exposeID('threadId', { description: 'The thread the pointer names.' }),
    pointerRev: t.exposeInt('pointerRev', { description: "The pointer's rev." }),
    storedRev: t.exposeInt('storedRev', { description: "The thread's stored rev (0 when it does not exist)." }),
  }),
});

builder.objectType(ThreadRevRegression, {
  name: 'ThreadRevRegression',
  description: "hibernate: the stored journal is ahead of the agent's local rev; nothing was written.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    threadId: t.exposeID('threadId', { description: 'The thread.' }),
    storedRev: t.exposeInt('storedRev', { description: "The thread's stored rev." }),
    localRev: t.exposeInt('localRev', { description: "The agent's local rev, as sent." }),
  }),
});

builder.objectType(ThreadHistoryTruncated, {
  name: 'ThreadHistoryTruncated',
  description: 'hibernate: the entries sent start after the end of the stored journal, so some would be missing; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    threadId: t.exposeID('threadId', { description: 'The thread.' }),
    storedRev: t.exposeInt('storedRev', { description: "The thread's stored rev: send the entries from this seq on." }),
    firstSentSeq: t.exposeInt('firstSentSeq', { description: 'The seq of the first entry sent (rev - entries.length).' }),
  }),
});

builder.objectType(ThreadDiverged, {
  name: 'ThreadDiverged',
  description: 'hibernate: an entry sent is not the stored entry at the same seq (another id, or, sent without an id, another kind, payload, refs or at); nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    threadId: t.exposeID('threadId', { description: 'The thread.' }),
    seq: t.exposeInt('seq', { description: 'The first seq where the sent and the stored entry differ.' }),
  }),
});

builder.objectType(CheckpointNotFound, {
  name: 'CheckpointNotFound',
  description: 'thaw: there is no checkpoint for this agent.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    agentType: t.exposeString('agentType', { description: 'The agent type asked for.' }),
    agentId: t.exposeString('agentId', { description: 'The agent id asked for.' }),
  }),
});

builder.objectType(MissingThread, {
  name: 'MissingThread',
  description: 'thaw: the checkpoint points at a thread that does not exist (deleted, or never written).',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    threadId: t.exposeID('threadId', { description: 'The thread the checkpoint points at.' }),
    pointerRev: t.exposeInt('pointerRev', { description: "The pointer's rev." }),
  }),
});

builder.objectType(ThreadMismatch, {
  name: 'ThreadMismatch',
  description:
    "thaw: the stored thread's rev differs from the checkpoint's pointer. When storedRev > pointerRev (the journal is ahead, e.g. a crash between flush and checkpoint), thaw again with allowJournalAhead: true.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    threadId: t.exposeID('threadId', { description: 'The thread.' }),
    pointerRev: t.exposeInt('pointerRev', { description: "The checkpoint pointer's rev." }),
    storedRev: t.exposeInt('storedRev', { description: "The thread's stored rev." }),
  }),
});

builder.objectType(TrimBeyondCheckpoint, {
  name: 'TrimBeyondCheckpoint',
  description:
    "trimThread: the trim would drop entries a checkpoint still needs (its pointer rev is below beforeSeq: thaw replays the entries from the pointer on); nothing was dropped.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    threadId: t.exposeID('threadId', { description: 'The thread.' }),
    beforeSeq: t.exposeInt('beforeSeq', { description: 'The beforeSeq asked for.' }),
    agentType: t.exposeString('agentType', { description: 'The agent type of the checkpoint with the lowest pointer into the thread.' }),
    agentId: t.exposeString('agentId', { description: 'The agent id of that checkpoint.' }),
    pointerRev: t.exposeInt('pointerRev', { description: "Its pointer's rev: the highest beforeSeq a trim may use now." }),
  }),
});

/** Error classes of AppendEntriesResult, in contract order (the printed schema sorts them). */
export const APPEND_ERRORS = [RevisionConflict, ValidationError];
/** Error classes of PutCheckpointResult. */
export const PUT_CHECKPOINT_ERRORS = [RevisionConflict, InvalidThreadPointer, ValidationError];
/** Error classes of HibernateResult (the field adds InvalidThreadPointer: a delete racing the flush). */
export const HIBERNATE_ERRORS = [
  RevisionConflict,
  ThreadRevRegression,
  ThreadHistoryTruncated,
  ThreadDiverged,
  ValidationError,
];
/** Error classes of TrimThreadResult, in contract order. */
export const TRIM_ERRORS = [RevisionConflict, TrimBeyondCheckpoint, ValidationError];
/** Error classes of SetThreadRetentionResult. */
export const SET_RETENTION_ERRORS = [ValidationError];
/** Error classes of ThawResult (ValidationError added to the contract's members). */
export const THAW_ERRORS = [CheckpointNotFound, MissingThread, ThreadMismatch, ValidationError];
