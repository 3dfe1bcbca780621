import { randomBytes } from 'node:crypto';
import { RevisionConflict, StorageCorrupted, TrimBeyondCheckpoint, ValidationError } from '../../domain/errors.js';
import { ageCutoff, requireThread, type PreparedSetRetention, type PreparedTrim } from '../../domain/retention.js';
import type { RetentionPolicy, ThreadHead } from '../../domain/types.js';
import type { SweepRetentionResult, TrimThreadResult } from '../types.js';
import { decodeHead } from './codec.js';
import { parseCheckpointMember, parseRetentionMember, retentionMember } from './keys.js';
import { publishCommand, type RedisStorageParts } from './parts.js';
import { applyPolicyCall, parseApplyPolicyReply } from './scripts/apply-policy.js';
import { parseLeaseReply, releaseLeaseCall, renewLeaseCall } from './scripts/sweep-lease.js';
import { parseTrimReply, trimCall } from './scripts/trim.js';

/**
 * Retention operations of the Redis adapter (README.md, "Retention"). A trim and a policy run are
 * one script each in the thread's slot, reading the thread's reverse index of checkpoint pointers
 * there, so they are atomic with the registration step of every checkpoint put. The sweep walks
 * the retention index (threads that have or had a policy) under a lease, one thread per script.
 */

/** Most entries one policy run's age walk reads before it hands back (Redis runs scripts one at a time). */
const AGE_WALK_CAP = 2000;

/** Runs one step of a multi-step call under its own deadline (the storage's guard). */
export type Step = <T>(call: () => Promise<T>) => Promise<T>;

/** The start of a thread-trimmed message, open for its firstSeq (the scripts append it and `}`). */
function trimmedPrefix(namespace: string, threadId: string): string {
  return `${JSON.stringify({ type: 'thread-trimmed', namespace, threadId }).slice(0, -1)},"firstSeq":`;
}

/** Drops entries below beforeSeq under the checkpoint rule (checkTrim), in one script. */
export async function trimThread(parts: RedisStorageParts, trim: PreparedTrim): Promise<TrimThreadResult> {
  const { keys, connection } = parts;
  const { namespace, threadId } = trim;
  const reply = parseTrimReply(
    await connection.run(
      trimCall({
        head: keys.threadHead(namespace, threadId),
        log: keys.threadLog(namespace, threadId),
        pointers: keys.threadPointers(namespace, threadId),
        beforeSeq: trim.beforeSeq,
        expectedRev: trim.expectedRev,
        now: parts.now().toISOString(),
        publish: publishCommand(parts),
        channel: keys.threadChannel(namespace, threadId),
        messagePrefix: trimmedPrefix(namespace, threadId),
      }),
    ),
  );
  switch (reply.status) {
    case 'missing':
      return requireThread<TrimThreadResult>(null, threadId);
    case 'conflict':
      throw new RevisionConflict(trim.expectedRev ?? 0, reply.rev, `thread ${JSON.stringify(threadId)}`);
    case 'beyond':
      throw new ValidationError(`must be at most the thread's rev (${reply.rev})`, 'beforeSeq');
    case 'checkpoint': {
      const { agentType, agentId } = parseCheckpointMember(reply.member);
      throw new TrimBeyondCheckpoint(threadId, trim.beforeSeq, agentType, agentId, reply.pointerRev);
    }
    case 'noop':
      return { thread: decodeHead(threadId, reply.head), dropped: 0 };
    case 'ok':
      return { thread: decodeHead(threadId, reply.head), dropped: reply.dropped };
  }
}

/**
 * Sets (or clears) the policy and applies it at once. A thread given a policy is added to the
 * retention index first and re-checked after (the index lives in another slot in a cluster; a
 * sweep may drop a member whose thread it saw without a policy): README.md.
 */
export async function setThreadRetention(parts: RedisStorageParts, set: PreparedSetRetention, step: Step): Promise<ThreadHead> {
  const { keys, connection } = parts;
  const index = keys.retentionIndex();
  const member = retentionMember(set.namespace, set.threadId);
  if (set.retention) await step(() => connection.send(index, ['ZADD', index, '0', member]));
  const now = parts.now();
  const first = await step(() => applyPolicy(parts, set.namespace, set.threadId, set.retention, 'set', now));
  if (first.status !== 'ok') return requireThread<ThreadHead>(null, set.threadId);
  let head = first.head;
  for (let more = first.more; more; ) {
    const next = await step(() => applyPolicy(parts, set.namespace, set.threadId, set.retention, 'apply', now));
    if (next.status !== 'ok') break;
    head = next.head;
    more = next.more;
  }
  if (set.retention && (await step(() => connection.send(index, ['ZSCORE', index, member], true))) == null) {
    await step(() => connection.send(index, ['ZADD', index, '0', member]));
  }
  return head;
}

type PolicyRun = { status: 'missing' | 'changed' } | { status: 'ok'; dropped: number; more: boolean; head: ThreadHead };

/** One apply-policy script run on a thread. */
async function applyPolicy(
  parts: RedisStorageParts,
  namespace: string,
  threadId: string,
  policy: RetentionPolicy | null,
  mode: 'set' | 'apply',
  now: Date,
): Promise<PolicyRun> {
  const { keys, connection } = parts;
  const reply = parseApplyPolicyReply(
    await connection.run(
      applyPolicyCall({
        head: keys.threadHead(namespace, threadId),
        log: keys.threadLog(namespace, threadId),
        pointers: keys.threadPointers(namespace, threadId),
        mode,
        policy,
        cutoff: ageCutoff(policy, now),
        now: now.toISOString(),
        publish: publishCommand(parts),
        channel: keys.threadChannel(namespace, threadId),
        messagePrefix: trimmedPrefix(namespace, threadId),
        walkCap: AGE_WALK_CAP,
      }),
    ),
  );
  if (reply.status !== 'ok') return reply;
  return { status: 'ok', dropped: reply.dropped, more: reply.more, head: decodeHead(threadId, reply.head) };
}

/**
 * Applies every indexed thread's policy at `now`, under the sweep lease (SET NX PX): when another
 * instance holds it, returns `skipped: true` at once. Each thread is its own step (own deadline,
 * own scripts), so appends wait at most one thread's trim. The lease is renewed as the sweep goes
 * and released at the end; a sweep that finds its lease taken over stops.
 */
export async function sweepRetention(parts: RedisStorageParts, now: Date, step: Step): Promise<SweepRetentionResult> {
  const { keys, connection } = parts;
  const lease = keys.sweepLease();
  const index = keys.retentionIndex();
  const token = randomBytes(12).toString('hex');
  const leaseMs = Math.max(30_000, 10 * parts.commandTimeoutMs);
  const taken = await step(() => connection.send(lease, ['SET', lease, token, 'NX', 'PX', String(leaseMs)]));
  if (taken == null) return { skipped: true, trimmedThreads: 0, dropped: 0 };
  let trimmedThreads = 0;
  let dropped = 0;
  let renewed = Date.now();
  try {
    let cursor = '-';
    for (;;) {
      const members = (await step(() => connection.send(index, ['ZRANGEBYLEX', index, cursor, '+', 'LIMIT', '0', '100'], true))) as string[];
      for (const member of members) {
        if (Date.now() - renewed > leaseMs / 3) {
          if (!parseLeaseReply(await step(() => connection.run(renewLeaseCall(lease, token, leaseMs))))) {
            return { skipped: false, trimmedThreads, dropped };
          }
          renewed = Date.now();
        }
        const n = await sweepThread(parts, member, now, step);
        if (n > 0) {
          trimmedThreads++;
          dropped += n;
        }
      }
      if (members.length < 100) break;
      cursor = `(${members.at(-1)!}`;
    }
  } finally {
    await step(() => connection.run(releaseLeaseCall(lease, token))).catch(() => {});
  }
  return { skipped: false, trimmedThreads, dropped };
}

/**
 * Applies one indexed thread's policy; returns the entries dropped. A member whose thread is gone
 * or has no policy is removed from the index, then re-added when the thread has a policy again
 * by the time it is re-read (a racing setThreadRetention or re-creation).
 */
async function sweepThread(parts: RedisStorageParts, member: string, now: Date, step: Step): Promise<number> {
  const { keys, connection } = parts;
  const index = keys.retentionIndex();
  const thread = parseRetentionMember(member);
  if (!thread) throw new StorageCorrupted(`retention index member ${JSON.stringify(member)} is unreadable`);
  const policy = await step(() => readPolicy(parts, thread.namespace, thread.threadId));
  if (!policy) {
    await step(() => connection.send(index, ['ZREM', index, member]));
    if (await step(() => readPolicy(parts, thread.namespace, thread.threadId))) await step(() => connection.send(index, ['ZADD', index, '0', member]));
    return 0;
  }
  let dropped = 0;
  for (;;) {
    const run = await step(() => applyPolicy(parts, thread.namespace, thread.threadId, policy, 'apply', now));
    if (run.status !== 'ok') return dropped;
    dropped += run.dropped;
    if (!run.more) return dropped;
  }
}

/** The thread's policy, or null when the thread is missing or has none. */
async function readPolicy(parts: RedisStorageParts, namespace: string, threadId: string): Promise<RetentionPolicy | null> {
  const head = parts.keys.threadHead(namespace, threadId);
  const [rev, maxEntries, maxAgeSeconds] = (await parts.connection.send(head, ['HMGET', head, 'rev', 'rme', 'rma'], true)) as (string | null)[];
  if (rev == null || (maxEntries == null && maxAgeSeconds == null)) return null;
  return { maxEntries: maxEntries == null ? null : Number(maxEntries), maxAgeSeconds: maxAgeSeconds == null ? null : Number(maxAgeSeconds) };
}
