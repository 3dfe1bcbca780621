import { checkCheckpointRev, type PreparedCheckpoint } from '../../domain/checkpoint.js';
import { InvalidThreadPointer, RevisionConflict } from '../../domain/errors.js';
import { legacyThreadLife } from '../../domain/thread-life.js';
import type { Checkpoint } from '../../domain/types.js';
import type { CheckpointKey } from '../prepare-options.js';
import type { Page } from '../types.js';
import { decodeCheckpoint, encodeCheckpointBody } from './codec.js';
import { checkpointMember, orderedHex, parseCheckpointMember } from './keys.js';
import { messagePrefix, publishCommand, type RedisStorageParts } from './parts.js';
import { deleteCheckpointCall, parseDeleteCheckpointReply } from './scripts/delete-checkpoint.js';
import { listCheckpointsCall, parseListCheckpointsReply } from './scripts/list-checkpoints.js';
import { parsePutCheckpointReply, putCheckpointCall } from './scripts/put-checkpoint.js';

/**
 * Checkpoint operations of the Redis adapter. A namespace's checkpoints live in one hash and one
 * sorted-set index under the namespace's hash tag, so CAS, write, index and notification are one
 * script, and a listing page is one consistent read. The pointer check reads the thread's rev
 * inside the same script on a standalone Redis; in a cluster the thread lives in another slot,
 * so its rev is read just before and passed in (safe because revs only grow, except across a
 * concurrent delete of that thread: README.md).
 */

/** Reads one checkpoint, or null. */
export async function getCheckpoint(parts: RedisStorageParts, key: CheckpointKey): Promise<Checkpoint | null> {
  const hash = parts.keys.checkpoints(key.namespace);
  const member = checkpointMember(key.agentType, key.agentId);
  const [meta, body] = (await parts.connection.send(hash, ['HMGET', hash, `h:${member}`, `b:${member}`], true)) as unknown[];
  return meta == null ? null : decodeCheckpoint(key.agentType, key.agentId, meta, body);
}

/**
 * CAS + pointer check + write + index + notification in one script. A conflict one rev ahead
 * comes back with the stored checkpoint, which the domain's replay rule then judges.
 */
export async function putCheckpoint(parts: RedisStorageParts, put: PreparedCheckpoint): Promise<Checkpoint> {
  const { connection, keys } = parts;
  const { namespace, agentType, agentId } = put;
  const now = parts.now().toISOString();
  // Encoded before any wait: the caller may change its state object while this call is in flight.
  const body = encodeCheckpointBody(put);
  let threadHead: string | null = null;
  let observed = { rev: '0', life: '' };
  if (put.thread) {
    const head = keys.threadHead(namespace, put.thread.id);
    if (connection.cluster) {
      const [rev, life, createdAt] = (await connection.send(head, ['HMGET', head, 'rev', 'life', 'ca'], true)) as (string | null)[];
      observed = { rev: rev ?? '0', life: life ?? (createdAt ? legacyThreadLife(createdAt) : '') };
    } else {
      threadHead = head;
    }
  }
  const reply = parsePutCheckpointReply(
    await connection.run(
      putCheckpointCall({
        checkpoints: keys.checkpoints(namespace),
        index: keys.checkpointIndex(namespace),
        threadHead,
        member: checkpointMember(agentType, agentId),
        expectedRev: put.expectedRev,
        pointerRev: put.thread?.rev ?? null,
        observed,
        pointerLife: put.thread?.life ?? '',
        body,
        now,
        publish: publishCommand(parts),
        channel: keys.checkpointChannel(namespace),
        messagePrefix: messagePrefix({ type: 'checkpoint-saved', namespace, agentType, agentId }),
      }),
    ),
  );
  switch (reply.status) {
    case 'conflict': {
      if (reply.stored) {
        const stored = decodeCheckpoint(agentType, agentId, reply.stored.meta, reply.stored.body);
        if (checkCheckpointRev(put, stored) === 'replay') return stored;
      }
      throw new RevisionConflict(put.expectedRev ?? 0, reply.rev, `checkpoint ${agentType}/${agentId}`);
    }
    case 'pointer':
      throw new InvalidThreadPointer(put.thread!.id, put.thread!.rev, reply.threadRev, reply.otherLife);
    case 'ok': {
      const stored = put.thread ? `${body.head}${JSON.stringify(reply.life)}${body.tail}` : body.head;
      return decodeCheckpoint(agentType, agentId, `${reply.rev}|${String(reply.createdAt)}|${now}`, stored);
    }
  }
}

/** Deletes one checkpoint and its index member; true when it existed. */
export async function deleteCheckpoint(parts: RedisStorageParts, key: CheckpointKey): Promise<boolean> {
  const { keys, connection } = parts;
  const reply = await connection.run(
    deleteCheckpointCall({
      checkpoints: keys.checkpoints(key.namespace),
      index: keys.checkpointIndex(key.namespace),
      member: checkpointMember(key.agentType, key.agentId),
      publish: publishCommand(parts),
      channel: keys.checkpointChannel(key.namespace),
      message: JSON.stringify({ type: 'checkpoint-deleted', ...key }),
    }),
  );
  return parseDeleteCheckpointReply(reply);
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
