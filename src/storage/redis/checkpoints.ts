import { checkCheckpointRev, preparePutCheckpoint } from '../../domain/checkpoint.js';
import { InvalidThreadPointer, RevisionConflict } from '../../domain/errors.js';
import { legacyThreadLife } from '../../domain/thread-life.js';
import type { Checkpoint } from '../../domain/types.js';
import type { CheckpointKey } from '../prepare-options.js';
import type { Page, PutCheckpointOptions } from '../types.js';
import { decodeCheckpoint, encodeCheckpointBody } from './codec.js';
import { checkpointMember, orderedHex, parseCheckpointMember } from './keys.js';
import { DELETE_CHECKPOINT, LIST_CHECKPOINTS, PUT_CHECKPOINT } from './scripts.js';
import type { RedisStorageParts } from './storage.js';

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
export async function putCheckpoint(
  parts: RedisStorageParts,
  options: PutCheckpointOptions,
  publish: string,
): Promise<Checkpoint> {
  const { connection, keys, limits } = parts;
  const put = preparePutCheckpoint(options, limits);
  const { namespace, agentType, agentId } = put;
  const now = parts.now().toISOString();
  const member = checkpointMember(agentType, agentId);
  // Encoded before any wait: the caller may change its state object while this call is in flight.
  const body = encodeCheckpointBody(put);
  const scriptKeys = [keys.checkpoints(namespace), keys.checkpointIndex(namespace)];
  let observed = { rev: '0', life: '' };
  if (put.thread) {
    const head = keys.threadHead(namespace, put.thread.id);
    if (connection.cluster) {
      const [rev, life, createdAt] = (await connection.send(head, ['HMGET', head, 'rev', 'life', 'ca'], true)) as (string | null)[];
      observed = { rev: rev ?? '0', life: life ?? (createdAt ? legacyThreadLife(createdAt) : '') };
    } else {
      scriptKeys.push(head);
    }
  }
  const prefix = `${JSON.stringify({ type: 'checkpoint-saved', namespace, agentType, agentId }).slice(0, -1)},"rev":`;
  const [status, rev, third, fourth] = (await connection.run(PUT_CHECKPOINT, scriptKeys, [
    member,
    put.expectedRev === undefined ? '' : String(put.expectedRev),
    put.thread ? String(put.thread.rev) : '',
    observed.rev,
    observed.life,
    put.thread?.life ?? '',
    body.head,
    body.tail,
    now,
    publish,
    keys.checkpointChannel(namespace),
    prefix,
  ])) as unknown[];
  if (status === 'conflict') {
    if (third != null) {
      const stored = decodeCheckpoint(agentType, agentId, third, fourth);
      if (checkCheckpointRev(put, stored) === 'replay') return stored;
    }
    throw new RevisionConflict(put.expectedRev ?? 0, Number(rev), `checkpoint ${agentType}/${agentId}`);
  }
  if (status === 'pointer' && put.thread) {
    throw new InvalidThreadPointer(put.thread.id, put.thread.rev, Number(rev), third === 'life');
  }
  if (status !== 'ok') throw new Error(`unexpected put-checkpoint reply ${String(status)}`);
  const stored = put.thread ? `${body.head}${JSON.stringify(fourth)}${body.tail}` : body.head;
  return decodeCheckpoint(agentType, agentId, `${String(rev)}|${String(third)}|${now}`, stored);
}

/** Deletes one checkpoint and its index member; true when it existed. */
export async function deleteCheckpoint(parts: RedisStorageParts, key: CheckpointKey, publish: string): Promise<boolean> {
  const { keys, connection } = parts;
  const message = JSON.stringify({ type: 'checkpoint-deleted', ...key });
  const deleted = await connection.run(
    DELETE_CHECKPOINT,
    [keys.checkpoints(key.namespace), keys.checkpointIndex(key.namespace)],
    [checkpointMember(key.agentType, key.agentId), publish, keys.checkpointChannel(key.namespace), message],
  );
  return Number(deleted) === 1;
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
  const rows = (await parts.connection.run(
    LIST_CHECKPOINTS,
    [parts.keys.checkpoints(namespace), parts.keys.checkpointIndex(namespace)],
    [min, max, String(first + 1)],
  )) as unknown[];
  const items: Checkpoint[] = [];
  for (let i = 0; i < rows.length; i += 3) {
    const { agentType: type, agentId } = parseCheckpointMember(String(rows[i]));
    items.push(decodeCheckpoint(type, agentId, rows[i + 1], rows[i + 2]));
  }
  return { items: items.slice(0, first), hasMore: items.length > first };
}
