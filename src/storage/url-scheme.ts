/** The URL schemes the built-in adapters answer (src/storage/url.ts parses them). */
export const BUILT_IN_SCHEMES: readonly string[] = ['memory', 'file', 'sqlite', 'redis', 'rediss', 'redis+cluster', 'rediss+cluster', 'postgres', 'postgresql'];

/** The lower-case scheme of a storage URL (`dynamo` of `dynamo://table`), or null when it has none. */
export function storageUrlScheme(url: string): string | null {
  if (typeof url !== 'string') return null;
  return /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1]?.toLowerCase() ?? null;
}

/**
 * True when `url` is for a storage module (`CRYO_STORAGE_MODULE`, docs/adapters.md): it has a
 * scheme and no built-in adapter answers it. Syntax only.
 */
export function isModuleStorageUrl(url: string): boolean {
  const scheme = storageUrlScheme(url);
  return scheme !== null && !BUILT_IN_SCHEMES.includes(scheme);
}

/** A storage URL quoted for a message, with any `user:password@` credentials replaced by `***`. */
export function redactStorageUrl(url: string): string {
  return JSON.stringify(url.replace(/\/\/[^/@]*@/, '//***@'));
}
