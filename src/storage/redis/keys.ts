/**
 * Key, channel and index-member layout of the Redis adapter (see README.md beside this file).
 *
 * - One thread's keys share the hash tag `{t:<ns>:<id>}`: `…:h` (head hash) and `…:j` (stream).
 * - A namespace's checkpoints and indexes share `{n:<ns>}`: `…:cp` (hash), `…:cpi`, `…:ti` and
 *   `…:keys` (sorted sets, score 0, lexical members).
 * - An API key lives in `{k:<id>}` (hash: `rec`, `rv`); revocations go to `{api-keys}:events`.
 * - Ids and namespaces are base64url-encoded (UTF-8) inside tags, so `{`, `}` and `:` in ids can
 *   neither break the tag nor collide across namespaces.
 * - Index members are the hex of the UTF-16BE code units, so ZRANGEBYLEX (byte order) sorts
 *   exactly as JS compares strings (UTF-16 code unit order).
 */
export interface RedisKeys {
  threadHead(namespace: string, threadId: string): string;
  threadLog(namespace: string, threadId: string): string;
  threadChannel(namespace: string, threadId: string): string;
  /**
   * The thread's reverse index (hash): field `<checkpoint member>|<token>` = `<pointer rev>|<life>`,
   * one per registered checkpoint pointer (README.md, "Retention").
   */
  threadPointers(namespace: string, threadId: string): string;
  threadIndex(namespace: string): string;
  checkpoints(namespace: string): string;
  checkpointIndex(namespace: string): string;
  checkpointChannel(namespace: string): string;
  /** One API key's hash (`rec`: the record as JSON, `rv`: revokedAt). */
  apiKey(id: string): string;
  /** A namespace's API key ids (sorted set, lexical members). */
  apiKeyIndex(namespace: string): string;
  /** API key revocations of every namespace (one channel; events carry only the key id). */
  apiKeyChannel(): string;
  /** Threads that have (or had) a retention policy, every namespace (sorted set, members from {@link retentionMember}). */
  retentionIndex(): string;
  /** The sweep lease (a string holding the sweeping instance's token, with a TTL); same slot as the index. */
  sweepLease(): string;
  /** Set once every checkpoint written before the reverse index has its pointer registered. */
  pointersRegistered(): string;
  /** SCAN pattern of every namespace's checkpoints hash (glob characters of the prefix escaped); {@link namespaceOf} reads their namespace. */
  checkpointsPattern(): string;
  /** SCAN pattern of every namespace's thread index, checkpoint hash and API key index. */
  namespaceKeyPatterns(): string[];
  /** The namespace a key of {@link namespaceKeyPatterns} belongs to; null for another key. */
  namespaceOf(key: string): string | null;
}

const b64 = (value: string): string => Buffer.from(value, 'utf8').toString('base64url');

/** Builds the key layout under `prefix` (which must not contain `{` or `}`). */
export function redisKeys(prefix: string): RedisKeys {
  if (/[{}]/.test(prefix) || prefix.length === 0) throw new Error('keyPrefix must be non-empty and contain no { or }');
  // Encoding is on every call's hot path: namespaces are few (bounded memo), and one call asks
  // for the same thread's keys several times (last-thread memo).
  const namespaces = new Map<string, string>();
  const nsPart = (ns: string): string => {
    let encoded = namespaces.get(ns);
    if (encoded === undefined) {
      if (namespaces.size >= 1024) namespaces.clear();
      namespaces.set(ns, (encoded = b64(ns)));
    }
    return encoded;
  };
  let last: { ns: string; id: string; tag: string } | null = null;
  const thread = (ns: string, id: string): string => {
    if (last?.ns === ns && last.id === id) return last.tag;
    last = { ns, id, tag: `${prefix}:{t:${nsPart(ns)}:${b64(id)}}` };
    return last.tag;
  };
  const namespace = (ns: string): string => `${prefix}:{n:${nsPart(ns)}}`;
  const escapedPrefix = prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
  return {
    threadHead: (ns, id) => `${thread(ns, id)}:h`,
    threadLog: (ns, id) => `${thread(ns, id)}:j`,
    threadChannel: (ns, id) => `${thread(ns, id)}:events`,
    threadPointers: (ns, id) => `${thread(ns, id)}:p`,
    threadIndex: (ns) => `${namespace(ns)}:ti`,
    checkpoints: (ns) => `${namespace(ns)}:cp`,
    checkpointIndex: (ns) => `${namespace(ns)}:cpi`,
    checkpointChannel: (ns) => `${namespace(ns)}:cp-events`,
    apiKey: (id) => `${prefix}:{k:${b64(id)}}`,
    apiKeyIndex: (ns) => `${namespace(ns)}:keys`,
    apiKeyChannel: () => `${prefix}:{api-keys}:events`,
    retentionIndex: () => `${prefix}:{retention}:ri`,
    sweepLease: () => `${prefix}:{retention}:lease`,
    pointersRegistered: () => `${prefix}:{retention}:pointers-registered`,
    checkpointsPattern: () => `${escapedPrefix}:{n:*}:cp`,
    namespaceKeyPatterns: () => ['ti', 'cp', 'keys'].map((suffix) => `${escapedPrefix}:{n:*}:${suffix}`),
    namespaceOf: (key) => {
      const start = `${prefix}:{n:`;
      const end = key.indexOf('}', start.length);
      if (!key.startsWith(start) || end === -1) return null;
      return Buffer.from(key.slice(start.length, end), 'base64url').toString('utf8');
    },
  };
}

/** Retention index member of a thread: `b64(ns):b64(threadId)` (base64url has no `:`). */
export function retentionMember(namespace: string, threadId: string): string {
  return `${b64(namespace)}:${b64(threadId)}`;
}

/** Inverse of {@link retentionMember}; null for a member it did not make. */
export function parseRetentionMember(member: string): { namespace: string; threadId: string } | null {
  const parts = member.split(':');
  if (parts.length !== 2) return null;
  return { namespace: Buffer.from(parts[0]!, 'base64url').toString('utf8'), threadId: Buffer.from(parts[1]!, 'base64url').toString('utf8') };
}

/** Hex of the UTF-16BE code units: byte order of the result = JS string order of the input. */
export function orderedHex(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) out += value.charCodeAt(i).toString(16).padStart(4, '0');
  return out;
}

/** Inverse of {@link orderedHex}. */
export function fromOrderedHex(hex: string): string {
  let out = '';
  for (let i = 0; i < hex.length; i += 4) out += String.fromCharCode(parseInt(hex.slice(i, i + 4), 16));
  return out;
}

/**
 * Index member of a checkpoint: `hex(agentType) "." hex(agentId)`. `.` sorts below every hex
 * digit, so members order by (agentType, agentId) and one agentType is the lex range
 * `[hex(type).` … `(hex(type)/`.
 */
export function checkpointMember(agentType: string, agentId: string): string {
  return `${orderedHex(agentType)}.${orderedHex(agentId)}`;
}

/** Inverse of {@link checkpointMember}. */
export function parseCheckpointMember(member: string): { agentType: string; agentId: string } {
  const dot = member.indexOf('.');
  return { agentType: fromOrderedHex(member.slice(0, dot)), agentId: fromOrderedHex(member.slice(dot + 1)) };
}

/**
 * Redis Cluster hash slot of a key (CRC16/XMODEM of the hash tag, or of the whole key without
 * one, mod 16384), as the cluster computes it: keys with one slot can share a script run.
 */
export function hashSlot(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  let start = 0;
  let end = bytes.length;
  const open = bytes.indexOf(0x7b);
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]! << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}
