import { randomBytes } from 'node:crypto';
import { checkCheckpointRev, type PreparedCheckpoint } from '../../domain/checkpoint.js';
import { InvalidThreadPointer, RevisionConflict } from '../../domain/errors.js';
import type { Checkpoint } from '../../domain/types.js';
import type { CheckpointKey } from '../prepare-options.js';
import type { Page } from '../types.js';
import { decodeCheckpoint, encodeCheckpointBody } from './codec.js';
import { checkpointMember, orderedHex, parseCheckpointMember } from './keys.js';
import { messagePrefix, publishCommand, type RedisStorageParts } from './parts.js';
import { deleteCheckpointCall, parseDeleteCheckpointReply } from './scripts/delete-checkpoint.js';
import { listCheckpointsCall, parseListCheckpointsReply } from './scripts/list-checkpoints.js';
import { parsePutCheckpointReply, putCheckpointCall, registrationValue } from './scripts/put-checkpoint.js';
import { parseRegisterPointerReply, registerPointerCall, registrationField } from './scripts/register-pointer.js';

/**
 * Checkpoint operations of the Redis adapter. A namespace's checkpoints live in one hash and one
 * sorted-set index under the namespace's hash tag, so CAS, write, index and notification are one
 * script, and a listing page is one consistent read. A pointer is checked and registered in the
 * pointed-at thread's reverse index first (its own slot, atomic with trims), then the checkpoint
 * is written, then the registration it replaced is removed: README.md, "Retention", argues why
 * this order never lets a trim pass a stored pointer, on a single Redis and in a cluster alike.
 */

/** Reads one checkpoint, or null. */
export async function getCheckpoint(parts: RedisStorageParts, key: CheckpointKey): Promise<Checkpoint | null> {
  const hash = parts.keys.checkpoints(key.namespace);
  const member = checkpointMember(key.agentType, key.agentId);
  const [meta, body] = (await parts.connection.send(hash, ['HMGET', hash, `h:${member}`, `b:${member}`], true)) as unknown[];
  return meta == null ? null : decodeCheckpoint(key.agentType, key.agentId, meta, body);
}

/**
 * Register the pointer (thread's slot) → CAS + write + index + notification (namespace's slot)
 * → unregister what the write replaced, or this put's own registration when it wrote nothing.
 * A conflict one rev ahead comes back with the stored checkpoint, which the domain's replay rule
 * then judges.
 */
export async function putCheckpoint(parts: RedisStorageParts, put: PreparedCheckpoint): Promise<Checkpoint> {
  const { connection, keys } = parts;
  const { namespace, agentType, agentId } = put;
  const now = parts.now().toISOString();
  const member = checkpointMember(agentType, agentId);
  // Encoded before any wait: the caller may change its state object while this call is in flight.
  const body = encodeCheckpointBody(put);
  let stored = body.head;
  let registration: { token: string; threadId: string } | null = null;
  if (put.thread) {
    const { id, rev } = put.thread;
    const token = randomBytes(8).toString('hex');
    const registered = parseRegisterPointerReply(
      await connection.run(
        registerPointerCall({
          head: keys.threadHead(namespace, id),
          pointers: keys.threadPointers(namespace, id),
          field: registrationField(member, token),
          pointerRev: rev,
          pointerLife: put.thread.life ?? '',
        }),
      ),
    );
    if (registered.status === 'pointer') throw new InvalidThreadPointer(id, rev, registered.threadRev, registered.reason);
    registration = { token, threadId: id };
    stored = `${body.head}${JSON.stringify(registered.life)}${body.tail}`;
  }
  // A failure here has an unknown outcome (the write may have landed): the registration stays,
  // which only over-protects (README.md).
  const reply = parsePutCheckpointReply(
    await connection.run(
      putCheckpointCall({
        checkpoints: keys.checkpoints(namespace),
        index: keys.checkpointIndex(namespace),
        member,
        expectedRev: put.expectedRev,
        body: stored,
        now,
        publish: publishCommand(parts),
        channel: keys.checkpointChannel(namespace),
        messagePrefix: messagePrefix({ type: 'checkpoint-saved', namespace, agentType, agentId }),
        registration: registration && registrationValue(registration.token, registration.threadId),
      }),
    ),
  );
  if (reply.status === 'conflict') {
    // Nothing written: this put's own registration protects nothing.
    if (registration) await unregister(parts, namespace, member, registration);
    if (reply.stored) {
      const current = decodeCheckpoint(agentType, agentId, reply.stored.meta, reply.stored.body);
      if (checkCheckpointRev(put, current) === 'replay') return current;
    }
    throw new RevisionConflict(put.expectedRev ?? 0, reply.rev, `checkpoint ${agentType}/${agentId}`);
  }
  if (reply.replaced) await unregister(parts, namespace, member, reply.replaced);
  return decodeCheckpoint(agentType, agentId, `${reply.rev}|${String(reply.createdAt)}|${now}`, stored);
}

/** Removes one registration from its thread's reverse index. */
async function unregister(parts: RedisStorageParts, namespace: string, member: string, registration: { token: string; threadId: string }): Promise<void> {
  const pointers = parts.keys.threadPointers(namespace, registration.threadId);
  await parts.connection.send(pointers, ['HDEL', pointers, registrationField(member, registration.token)]);
}

/** Deletes one checkpoint and its index member, then its pointer's registration; true when it existed. */
export async function deleteCheckpoint(parts: RedisStorageParts, key: CheckpointKey): Promise<boolean> {
  const { keys, connection } = parts;
  const member = checkpointMember(key.agentType, key.agentId);
  const reply = parseDeleteCheckpointReply(
    await connection.run(
      deleteCheckpointCall({
        checkpoints: keys.checkpoints(key.namespace),
        index: keys.checkpointIndex(key.namespace),
        member,
        publish: publishCommand(parts),
        channel: keys.checkpointChannel(key.namespace),
        message: JSON.stringify({ type: 'checkpoint-deleted', ...key }),
      }),
    ),
  );
  if (reply.registration) await unregister(parts, key.namespace, member, reply.registration);
  return reply.deleted;
}

/** One page ordered by (agentType, agentId), optionally one agentType, after an exclusive key. */
export async function listCheckpoints(
  parts: RedisStorageParts,
  options: {
    namespace: string;
    agentType: string | null;
    first: number;
    after: { agentType: string; agentId: string } | null;
  },
): Promise<Page<Checkpoint>> {
  const { namespace, agentType, first, after } = options;
  let min = '-';
  let max = '+';
  const afterMember = after ? checkpointMember(after.agentType, after.agentId) : null;
  if (agentType !== null) {
    const typePrefix = `${orderedHex(agentType)}.`;
    min = afterMember !== null && afterMember > typePrefix ? `(${afterMember}` : `[${typePrefix}`;
    max = `(${orderedHex(agentType)}/`;
  } else if (afterMember !== null) {
    min = `(${afterMember}`;
  }
  const call = listCheckpointsCall(parts.keys.checkpoints(namespace), parts.keys.checkpointIndex(namespace), { min, max, count: first + 1 });
  const items = parseListCheckpointsReply(await parts.connection.run(call)).map((row) => {
    const { agentType: type, agentId } = parseCheckpointMember(row.member);
    return decodeCheckpoint(type, agentId, row.meta, row.body);
  });
  return { items: items.slice(0, first), hasMore: items.length > first };
}
