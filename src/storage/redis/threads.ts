import type { PreparedAppend } from '../../domain/append.js';
import { RevisionConflict, StorageCorrupted } from '../../domain/errors.js';
import { newThreadLife } from '../../domain/thread-life.js';
import type { Entry, ThreadHead } from '../../domain/types.js';
import type { ThreadKey } from '../prepare-options.js';
import type { AppendEntriesResult, Page } from '../types.js';
import { decodeEntry, decodeHead, encodeEntry, seqOfStreamId } from './codec.js';
import { fromOrderedHex, orderedHex, retentionMember } from './keys.js';
import { messagePrefix, publishCommand, type RedisStorageParts } from './parts.js';
import type { KnownThread } from './append-batcher.js';
import type { AppendArgs, AppendCreateArgs, AppendReply } from './scripts/append.js';
import { headFields, type HeadFields } from './scripts/lua-script.js';
import { deleteThreadCall, parseDeleteThreadReply } from './scripts/delete-thread.js';
import { parseReadRangeReply, readRangeCall } from './scripts/read-range.js';
import { parseReadTailReply, readTailCall } from './scripts/read-tail.js';

/**
 * Thread operations of the Redis adapter. A thread's head hash and entry stream share one hash
 * tag, so an append (revision check, idempotent-retry rule, write, notification) is one script.
 * On a standalone Redis the namespace's thread index is a key of the same scripts; in a cluster
 * it lives in another slot and is kept by separate commands around the script (README.md says
 * what a crash between them can leave).
 */

/**
 * Appends a prepared append (validated by the caller at `now`) through the group commit
 * (append-batcher.ts). A thread this process has seen appended to goes `short` (naming the life
 * it saw; `lean` for a head stored before lives: scripts/append.ts); otherwise, or when the
 * script asks for it, `full`, with what creating the thread needs.
 */
export async function appendEntries(parts: RedisStorageParts, append: PreparedAppend, now: Date): Promise<AppendEntriesResult> {
  const { connection, keys } = parts;
  const { namespace, threadId, entries } = append;
  const head = keys.threadHead(namespace, threadId);
  const args: AppendArgs = {
    head,
    log: keys.threadLog(namespace, threadId),
    expectedRev: append.expectedRev,
    idsFromCaller: append.idsFromCaller,
    now: now.toISOString(),
    entries: entries.map((entry) => ({ id: entry.id, json: encodeEntry(entry) })),
  };
  // Captured now: the caller may change its metadata object while this call is in flight.
  const metadata = JSON.stringify(append.metadata);
  const index = keys.threadIndex(namespace);
  const retentionIndex = keys.retentionIndex();
  const create = (indexMode: AppendCreateArgs['indexMode']): AppendCreateArgs => ({
    indexMode,
    index: indexMode === 'key' ? index : null,
    retentionIndex: indexMode === 'key' ? retentionIndex : null,
    metadata,
    messagePrefix: messagePrefix({ type: 'thread-appended', namespace, threadId }),
    member: orderedHex(threadId),
    retentionMember: retentionMember(namespace, threadId),
    life: newThreadLife(),
    startSeq: append.startSeq,
    retention: append.retention,
  });
  const firstForm = connection.cluster ? 'ask' : 'key';
  const known = parts.appends.known(head);
  let reply = await parts.appends.submit(known ? { ...args, knownLife: known.life ?? undefined } : { ...args, create: create(firstForm) });
  if (reply.status === 'full') reply = await parts.appends.submit({ ...args, create: create(firstForm) });
  if (reply.status === 'index') {
    // Cluster: the indexes live in other slots. Index first, then create, then re-check
    // (a racing delete or sweep may have removed the member in between); see README.md.
    const full = create('done');
    const indexed: [string, string][] = [[index, full.member]];
    if (append.retention) indexed.push([retentionIndex, full.retentionMember]);
    await Promise.all(indexed.map(([key, m]) => connection.send(key, ['ZADD', key, '0', m])));
    reply = await parts.appends.submit({ ...args, create: full });
    if (reply.status === 'ok') {
      await Promise.all(
        indexed.map(async ([key, m]) => {
          if ((await connection.send(key, ['ZSCORE', key, m], true)) == null) await connection.send(key, ['ZADD', key, '0', m]);
        }),
      );
    }
  }
  if (reply.status === 'ok' || reply.status === 'replay') remember(parts, head, reply.head);
  switch (reply.status) {
    case 'ok':
    case 'short': {
      const thread = decodeHead(threadId, reply.status === 'ok' ? reply.head : shortHead(reply, known!, args.now));
      const first = thread.rev - entries.length;
      // Entries of this call below firstSeq (maxEntries trimmed them already) are still returned:
      // the call wrote them, with these seqs.
      return { thread, entries: args.entries.map((e, i) => decodeEntry(e.json, threadId, first + i)), replayed: false };
    }
    case 'replay': {
      const from = append.expectedRev ?? 0;
      const stored = reply.entries.map((json, i) => decodeEntry(json, threadId, from + i));
      return { thread: decodeHead(threadId, reply.head), entries: stored, replayed: true };
    }
    case 'conflict':
      throw new RevisionConflict(append.expectedRev ?? 0, reply.rev, `thread ${JSON.stringify(threadId)}`);
    default:
      throw new Error(`unexpected append reply ${reply.status}`);
  }
}

/** Remembers what a reply showed of a thread's head, so that later appends to it go lean or short. */
function remember(parts: RedisStorageParts, head: string, fields: HeadFields): void {
  const { meta, createdAt, life } = fields;
  // Unreadable fields fail decodeHead (StorageCorrupted); nothing to remember then.
  if (typeof meta !== 'string' || typeof createdAt !== 'string') return;
  parts.appends.markKnown(head, { life: typeof life === 'string' ? life : null, meta, createdAt });
}

/** The head a `short` reply stands for: what it carries, plus what stays fixed for the life it checked. */
function shortHead(reply: Extract<AppendReply, { status: 'short' }>, known: KnownThread, now: string): HeadFields {
  const { rev, firstSeq, maxEntries, maxAgeSeconds } = reply;
  return { rev, meta: known.meta, createdAt: known.createdAt, updatedAt: now, life: known.life, firstSeq, maxEntries, maxAgeSeconds };
}

/** Entries with seq ≥ fromSeq, at most `limit`, in one consistent read. */
export async function readEntries(parts: RedisStorageParts, key: ThreadKey, fromSeq: number, limit: number): Promise<Entry[]> {
  if (limit === 0) return [];
  const { keys, connection } = parts;
  const { namespace, threadId } = key;
  const reply = parseReadRangeReply(
    await connection.run(readRangeCall(keys.threadHead(namespace, threadId), keys.threadLog(namespace, threadId), fromSeq, limit)),
  );
  if (reply.status === 'corrupt') throw missingEntries(threadId, reply);
  return reply.rows.map((row) => decodeEntry(row.json, threadId, seqOfStreamId(row.streamId)));
}

/** The head and the last `limit` entries, in one consistent read. */
export async function readTail(parts: RedisStorageParts, key: ThreadKey, limit: number): Promise<{ thread: ThreadHead | null; entries: Entry[] }> {
  const { keys, connection } = parts;
  const { namespace, threadId } = key;
  const reply = parseReadTailReply(
    await connection.run(readTailCall(keys.threadHead(namespace, threadId), keys.threadLog(namespace, threadId), limit)),
  );
  if (reply.status === 'missing') return { thread: null, entries: [] };
  if (reply.status === 'corrupt') throw missingEntries(threadId, reply);
  const thread = decodeHead(threadId, reply.head);
  const first = thread.rev - reply.entries.length;
  return { thread, entries: reply.entries.map((json, i) => decodeEntry(json, threadId, first + i)) };
}

/** The thread's head, or null. */
export async function getThread(parts: RedisStorageParts, key: ThreadKey): Promise<ThreadHead | null> {
  const head = parts.keys.threadHead(key.namespace, key.threadId);
  const values = (await parts.connection.send(head, ['HMGET', head, 'rev', 'meta', 'ca', 'ua', 'life', 'fs', 'rme', 'rma'], true)) as unknown[];
  return values[0] == null ? null : decodeHead(key.threadId, headFields(values, 0));
}

/** Deletes the thread (head, entries, index member); true when it existed. */
export async function deleteThread(parts: RedisStorageParts, key: ThreadKey): Promise<boolean> {
  const { keys, connection } = parts;
  const { namespace, threadId } = key;
  const head = keys.threadHead(namespace, threadId);
  const index = keys.threadIndex(namespace);
  const member = orderedHex(threadId);
  const deleted = parseDeleteThreadReply(
    await connection.run(
      deleteThreadCall({
        head,
        log: keys.threadLog(namespace, threadId),
        index: connection.cluster ? null : index,
        member,
        publish: publishCommand(parts),
        channel: keys.threadChannel(namespace, threadId),
        message: JSON.stringify({ type: 'thread-deleted', namespace, threadId }),
      }),
    ),
  );
  if (connection.cluster) {
    // Unindex after the delete; a thread re-created meanwhile is indexed again.
    await connection.send(index, ['ZREM', index, member]);
    if (Number(await connection.send(head, ['EXISTS', head], true)) === 1) {
      await connection.send(index, ['ZADD', index, '0', member]);
    }
  }
  return deleted;
}

/** One page of threads ordered by id, after an exclusive id. */
export async function listThreads(
  parts: RedisStorageParts,
  options: { namespace: string; first: number; after: string | null },
): Promise<Page<ThreadHead>> {
  const { namespace, first, after } = options;
  const index = parts.keys.threadIndex(namespace);
  const items: ThreadHead[] = [];
  let cursor = after === null ? '-' : `(${orderedHex(after)}`;
  for (;;) {
    const want = first + 1 - items.length;
    const members = (await parts.connection.send(index, ['ZRANGEBYLEX', index, cursor, '+', 'LIMIT', '0', String(want)], true)) as string[];
    // Members whose thread is gone (a crash between index and thread in a cluster) are skipped.
    const heads = await Promise.all(members.map((m) => getThread(parts, { namespace, threadId: fromOrderedHex(m) })));
    for (const head of heads) if (head) items.push(head);
    if (members.length < want || items.length > first) break;
    cursor = `(${members.at(-1)!}`;
  }
  return { items: items.slice(0, first), hasMore: items.length > first };
}

/** The error for a 'corrupt' script reply: the stream lacks entries the head counts. */
function missingEntries(threadId: string, reply: { rev: unknown; found: unknown }): StorageCorrupted {
  return new StorageCorrupted(
    `journal of thread ${JSON.stringify(threadId)} is missing entries: its head says rev ${String(reply.rev)} but ` +
      `only ${String(reply.found)} of the requested entries exist (evicted? run Redis with maxmemory-policy noeviction)`,
  );
}
