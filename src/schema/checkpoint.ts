import { pointsAtLife } from '../domain/checkpoint.js';
import type { Checkpoint, ThreadPointer } from '../domain/types.js';
import { validatePageSize } from '../domain/validate.js';
import { builder } from './builder.js';
import { toConnection } from './connection.js';
import { checkpointCursor, decodeCheckpointCursor } from './cursors.js';
import { DeleteResultRef } from './delete-result.js';
import { PUT_CHECKPOINT_ERRORS } from './errors.js';
import { DateTimeScalar, JSONObjectScalar } from './scalars.js';
import { ThreadRef } from './thread.js';

/** Checkpoint and ThreadPointer types, their inputs, queries and mutations. */

const ThreadPointerRef = builder.objectRef<ThreadPointer>('ThreadPointer').implement({
  description: 'A checkpoint\'s pointer into a journal: "the agent had seen the first `rev` entries of thread `id`".',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The thread id.' }),
    rev: t.exposeInt('rev', { description: 'The number of entries of that thread the agent had seen.' }),
    thread: t.field({
      type: ThreadRef,
      nullable: true,
      description:
        'The thread as stored now (its rev may be ahead of the pointer); null when it does not exist, or was deleted and re-created since the pointer was saved.',
      resolve: async (pointer, _args, ctx) => {
        const thread = await ctx.storage.getThread({ namespace: ctx.namespace, threadId: pointer.id });
        return thread && pointsAtLife(pointer, thread) ? thread : null;
      },
    }),
  }),
});

/** The Checkpoint object type (shape: the domain Checkpoint). */
export const CheckpointRef = builder.objectRef<Checkpoint>('Checkpoint').implement({
  description: 'The latest snapshot of one agent, overwritten on each save. It holds a pointer to its journal, never entries.',
  fields: (t) => ({
    agentType: t.exposeString('agentType', { description: 'The kind of agent (1..256 chars).' }),
    agentId: t.exposeString('agentId', { description: 'The agent instance (1..256 chars).' }),
    rev: t.exposeInt('rev', { description: '1 on first write, +1 on every overwrite.' }),
    version: t.exposeInt('version', { description: "The state's schema version (application-defined, default 1), for migrations." }),
    state: t.field({ type: JSONObjectScalar, description: "The agent's state.", resolve: (c) => c.state }),
    thread: t.field({
      type: ThreadPointerRef,
      nullable: true,
      description: "Pointer to the agent's journal; null when the agent has none.",
      resolve: (c) => c.thread,
    }),
    createdAt: t.field({ type: DateTimeScalar, description: 'When it was first written.', resolve: (c) => c.createdAt }),
    updatedAt: t.field({ type: DateTimeScalar, description: 'When it was last written.', resolve: (c) => c.updatedAt }),
  }),
});

/** CheckpointConnection / CheckpointEdge (relay plugin); resolvers build `{ edges, pageInfo }`. */
const CheckpointConnectionRef = builder.connectionObject(
  { type: CheckpointRef, name: 'CheckpointConnection', description: 'A page of checkpoints, ordered by (agentType, agentId).' },
  { name: 'CheckpointEdge', description: 'A checkpoint with its cursor.' },
);

/** The ThreadPointerInput input type. */
const ThreadPointerInputRef = builder.inputType('ThreadPointerInput', {
  description: 'A pointer into a journal. The thread must exist with a rev of at least `rev`.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The thread id.' }),
    rev: t.int({ required: true, description: 'The number of entries the agent has seen (≥ 1).' }),
  }),
});

const PutCheckpointInputRef = builder.inputType('PutCheckpointInput', {
  description: "Overwrites (or creates) an agent's checkpoint.",
  fields: (t) => ({
    agentType: t.string({ required: true, description: 'The kind of agent.' }),
    agentId: t.string({ required: true, description: 'The agent instance.' }),
    state: t.field({ type: JSONObjectScalar, required: true, description: "The agent's state (a JSON object, ≤ 8 MiB serialized by default)." }),
    version: t.int({ description: "The state's schema version; default 1." }),
    thread: t.field({ type: ThreadPointerInputRef, description: "Pointer to the agent's journal; omit or null for none." }),
    expectedRev: t.int({
      description: "Fencing. Omitted: unconditional; 0: the checkpoint must not exist; n: its rev must be n (else RevisionConflict).",
    }),
  }),
});

const PutCheckpointSuccessRef = builder.objectRef<{ checkpoint: Checkpoint }>('PutCheckpointSuccess').implement({
  description: 'The checkpoint was written.',
  fields: (t) => ({
    checkpoint: t.field({ type: CheckpointRef, description: 'The checkpoint as stored.', resolve: (r) => r.checkpoint }),
  }),
});

builder.queryFields((t) => ({
  checkpoint: t.field({
    type: CheckpointRef,
    nullable: true,
    description: "An agent's checkpoint, or null when it has none.",
    args: {
      agentType: t.arg.string({ required: true, description: 'The kind of agent.' }),
      agentId: t.arg.string({ required: true, description: 'The agent instance.' }),
    },
    resolve: (_root, args, ctx) =>
      ctx.storage.getCheckpoint({ namespace: ctx.namespace, agentType: args.agentType, agentId: args.agentId }),
  }),
  checkpoints: t.field({
    type: CheckpointConnectionRef,
    description: 'Checkpoints of the namespace, ordered by (agentType, agentId).',
    args: {
      agentType: t.arg.string({ description: 'Only checkpoints of this agent type.' }),
      first: t.arg.int({ description: 'Page size (1..500, default 50).' }),
      after: t.arg.string({ description: 'Return checkpoints after this cursor.' }),
    },
    resolve: async (_root, args, ctx) => {
      const first = validatePageSize(args.first, 'first', ctx.limits);
      const after = args.after == null ? null : decodeCheckpointCursor(args.after, 'after');
      const page = await ctx.storage.listCheckpoints({ namespace: ctx.namespace, agentType: args.agentType, first, after });
      const cursorOf = (checkpoint: Checkpoint) => checkpointCursor(checkpoint.agentType, checkpoint.agentId);
      return toConnection(page.items, cursorOf, { hasNextPage: page.hasMore, hasPreviousPage: after !== null });
    },
  }),
}));

builder.mutationFields((t) => ({
  putCheckpoint: t.field({
    type: PutCheckpointSuccessRef,
    description: "Writes an agent's checkpoint (upsert), with optional fencing (expectedRev) and a validated thread pointer.",
    errors: {
      types: PUT_CHECKPOINT_ERRORS,
      union: { name: 'PutCheckpointResult', description: 'The stored checkpoint, or why nothing was written.' },
    },
    args: { input: t.arg({ type: PutCheckpointInputRef, required: true, description: 'The checkpoint to write.' }) },
    resolve: async (_root, { input }, ctx) => ({
      checkpoint: await ctx.storage.putCheckpoint({
        namespace: ctx.namespace,
        agentType: input.agentType,
        agentId: input.agentId,
        state: input.state,
        version: input.version,
        thread: input.thread,
        expectedRev: input.expectedRev,
      }),
    }),
  }),
  deleteCheckpoint: t.field({
    type: DeleteResultRef,
    description: "Deletes an agent's checkpoint. Idempotent; its thread is left alone.",
    args: {
      agentType: t.arg.string({ required: true, description: 'The kind of agent.' }),
      agentId: t.arg.string({ required: true, description: 'The agent instance.' }),
    },
    resolve: async (_root, args, ctx) => ({
      deleted: await ctx.storage.deleteCheckpoint({ namespace: ctx.namespace, agentType: args.agentType, agentId: args.agentId }),
    }),
  }),
}));
