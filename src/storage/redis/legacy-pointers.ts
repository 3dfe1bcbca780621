import { randomBytes } from 'node:crypto';
import type { RedisStorageParts } from './parts.js';
import { adoptRegistrationCall, parseAdoptRegistrationReply } from './scripts/adopt-registration.js';
import { registrationValue } from './scripts/put-checkpoint.js';
import { parseRegisterPointerReply, registerPointerCall, registrationField } from './scripts/register-pointer.js';

/**
 * Registers the pointers of checkpoints written before the reverse index thread → checkpoints
 * existed (README.md, "Retention"), so that trims and policies respect them too. Runs once per
 * key prefix: when the marker key is set, it returns at once; otherwise it SCANs for every
 * namespace's checkpoints hash (the only walk of the whole keyspace the adapter makes), and for
 * each checkpoint with a pointer but no registration registers it the way a put does (in the
 * thread's slot, checked against the thread), then lets the checkpoint adopt it only if the
 * checkpoint is unchanged and still unregistered (else the registration is removed again), and
 * sets the marker at the end. Several processes may run it at once: each registration is adopted
 * at most once. A pointer its thread no longer satisfies (deleted, shorter, another life) is left
 * unregistered: it holds no entries of the thread as it is. Returns how many it registered.
 */
export async function registerLegacyPointers(parts: RedisStorageParts): Promise<number> {
  const { connection, keys } = parts;
  const marker = keys.pointersRegistered();
  if ((await connection.send(marker, ['GET', marker], true)) != null) return 0;
  let registered = 0;
  for (const hash of await connection.scanKeys(keys.checkpointsPattern())) {
    const namespace = keys.namespaceOf(hash);
    if (namespace === null) continue;
    let cursor = '0';
    do {
      const [next, flat] = (await connection.send(hash, ['HSCAN', hash, cursor, 'MATCH', 'b:*', 'COUNT', '500'], true)) as [string, string[]];
      cursor = String(next);
      for (let i = 0; i < flat.length; i += 2) {
        if (await registerOne(parts, hash, namespace, flat[i]!.slice(2), flat[i + 1]!)) registered++;
      }
    } while (cursor !== '0');
  }
  await connection.send(marker, ['SET', marker, new Date().toISOString()]);
  return registered;
}

async function registerOne(parts: RedisStorageParts, hash: string, namespace: string, member: string, body: string): Promise<boolean> {
  const { connection, keys } = parts;
  if ((await connection.send(hash, ['HEXISTS', hash, `r:${member}`], true)) === 1) return false;
  let thread: { id?: unknown; rev?: unknown; life?: unknown } | null;
  try {
    thread = (JSON.parse(body) as { thread?: typeof thread }).thread ?? null;
  } catch {
    return false;
  }
  if (!thread || typeof thread.id !== 'string' || typeof thread.rev !== 'number') return false;
  const token = randomBytes(8).toString('hex');
  const field = registrationField(member, token);
  const pointers = keys.threadPointers(namespace, thread.id);
  const reply = parseRegisterPointerReply(
    await connection.run(
      registerPointerCall({
        head: keys.threadHead(namespace, thread.id),
        pointers,
        field,
        pointerRev: thread.rev,
        pointerLife: typeof thread.life === 'string' ? thread.life : '',
        // A pointer stored without a life matches any life of its thread (README.md, "Older data").
        anyLife: typeof thread.life !== 'string',
      }),
    ),
  );
  if (reply.status !== 'ok') return false;
  const adopted = parseAdoptRegistrationReply(await connection.run(adoptRegistrationCall(hash, member, body, registrationValue(token, thread.id))));
  if (!adopted) await connection.send(pointers, ['HDEL', pointers, field]);
  return adopted;
}
