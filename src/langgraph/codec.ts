import type { SerializerProtocol } from '@langchain/langgraph-checkpoint';

/**
 * A value serialized by LangGraph's serde, stored inside an entry payload. JSON stays JSON (so
 * the dashboard and threadEntries show it as it is); anything else keeps its serde type, as text
 * or base64 bytes.
 */
export type StoredValue = { json: unknown } | { type: string; text: string } | { type: string; base64: string };

const decoder = new TextDecoder();

/** Serializes `value` with the saver's serde. */
export async function encodeValue(serde: SerializerProtocol, value: unknown): Promise<StoredValue> {
  const [type, data] = await serde.dumpsTyped(value);
  if (type === 'bytes') return { type, base64: toBase64(data) };
  const text = typeof data === 'string' ? data : decoder.decode(data);
  if (type === 'json') {
    try {
      return { json: JSON.parse(text) as unknown };
    } catch {
      // not JSON after all (e.g. a serde that emits something else under "json"): keep the text
    }
  }
  return { type, text };
}

/** Deserializes a StoredValue with the saver's serde. */
export async function decodeValue(serde: SerializerProtocol, stored: StoredValue): Promise<unknown> {
  if ('json' in stored) return serde.loadsTyped('json', JSON.stringify(stored.json));
  if ('base64' in stored) return serde.loadsTyped(stored.type, fromBase64(stored.base64));
  return serde.loadsTyped(stored.type, stored.text);
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
