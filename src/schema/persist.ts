import { InvalidThreadPointer } from '../domain/errors.js';
import { hibernate, thaw, type HibernateResult, type ThawResult } from '../persist.js';
import { builder } from './builder.js';
import { CheckpointRef } from './checkpoint.js';
import { EntryInputRef, EntryRef } from './entry.js';
import { HIBERNATE_ERRORS, THAW_ERRORS } from './errors.js';
import { JSONObjectScalar } from './scalars.js';
import { ThreadRef } from './thread.js';

/** The hibernate and thaw mutations (src/persist.ts over the request's storage), their inputs and results. */

const HibernateThreadInputRef = builder.inputType('HibernateThreadInput', {
  description: "The agent's local journal: its rev and its unflushed tail.",
  fields: (t) => ({
    id: t.id({ required: true, description: 'The thread id.' }),
    rev: t.int({ required: true, description: "The agent's local rev: how many entries its journal holds." }),
    entries: t.field({
      type: [EntryInputRef],
      required: true,
      description:
        'The LAST entries.length entries of the local journal (seqs rev - entries.length .. rev - 1; the whole journal is allowed). Give ids so the store can check they match what it has.',
    }),
    metadata: t.field({ type: JSONObjectScalar, description: "The thread's metadata; used only when this flush creates the thread." }),
  }),
});

const HibernateInputRef = builder.inputType('HibernateInput', {
  description: "Flush the agent's journal tail, then write its checkpoint pointing at it.",
  fields: (t) => ({
    agentType: t.string({ required: true, description: 'The kind of agent.' }),
    agentId: t.string({ required: true, description: 'The agent instance.' }),
    state: t.field({ type: JSONObjectScalar, required: true, description: "The agent's state." }),
    version: t.int({ description: "The state's schema version; default 1." }),
    thread: t.field({ type: HibernateThreadInputRef, description: "The agent's journal; omit or null for none (null pointer)." }),
    expectedRev: t.int({
      description:
        'Fencing for the checkpoint, as in PutCheckpointInput; checked before the journal is touched, so a stale writer appends nothing either.',
    }),
  }),
});

const HibernateSuccessRef = builder.objectRef<HibernateResult>('HibernateSuccess').implement({
  description: 'The journal tail was flushed and the checkpoint written.',
  fields: (t) => ({
    checkpoint: t.field({ type: CheckpointRef, description: 'The checkpoint as stored, pointing at the journal.', resolve: (r) => r.checkpoint }),
    flushed: t.exposeInt('flushed', { description: 'Entries newly written to the journal by this call (0 when the store had them all).' }),
  }),
});

const ThawSuccessRef = builder.objectRef<ThawResult>('ThawSuccess').implement({
  description: 'The checkpoint, and the journal it points at, agree (or the journal is ahead and allowJournalAhead was set).',
  fields: (t) => ({
    checkpoint: t.field({ type: CheckpointRef, description: 'The checkpoint.', resolve: (r) => r.checkpoint }),
    thread: t.field({
      type: ThreadRef,
      nullable: true,
      description: 'The thread the checkpoint points at (its entries paged as any thread); null when the pointer is null.',
      resolve: (r) => r.thread,
    }),
    pendingEntries: t.field({
      type: [EntryRef],
      description: 'Entries after the pointer (seq ≥ pointer rev), for the agent to replay; empty unless the journal is ahead.',
      resolve: (r) => r.pendingEntries,
    }),
  }),
});

builder.mutationFields((t) => ({
  hibernate: t.field({
    type: HibernateSuccessRef,
    description:
      "Flushes the agent's unflushed journal entries, then writes its checkpoint pointing at the journal (journal first, so a pointer never names missing entries).",
    errors: {
      types: [...HIBERNATE_ERRORS, InvalidThreadPointer],
      union: { name: 'HibernateResult', description: 'The written checkpoint, or why nothing (or only the journal) was written.' },
    },
    args: { input: t.arg({ type: HibernateInputRef, required: true, description: 'The agent, its state and its journal tail.' }) },
    resolve: (_root, { input }, ctx) =>
      hibernate(ctx.storage, { ...input, namespace: ctx.namespace }, { limits: ctx.limits }),
  }),
  thaw: t.field({
    type: ThawSuccessRef,
    // A read: an agent with only `read` may load its state.
    skipTypeScopes: true,
    authScopes: { read: true },
    description: "Loads an agent's checkpoint and the journal it points at, and checks that the two agree. Never returns a fresh agent silently.",
    errors: {
      types: THAW_ERRORS,
      union: { name: 'ThawResult', description: 'The checkpoint and its thread, or why they cannot be trusted.' },
    },
    args: {
      agentType: t.arg.string({ required: true, description: 'The kind of agent.' }),
      agentId: t.arg.string({ required: true, description: 'The agent instance.' }),
      allowJournalAhead: t.arg.boolean({
        defaultValue: false,
        description:
          'Accept a journal ahead of the pointer (e.g. after a crash between flush and checkpoint) and return the extra entries as pendingEntries.',
      }),
    },
    resolve: (_root, args, ctx) =>
      thaw(
        ctx.storage,
        { namespace: ctx.namespace, agentType: args.agentType, agentId: args.agentId, allowJournalAhead: args.allowJournalAhead },
        { limits: ctx.limits },
      ),
  }),
}));
