/**
 * Migration 2: API keys (hashes only). The id is global (authentication looks a key up before
 * it knows the namespace); listings go by (namespace, id).
 */
export function schemaV2(S: string): string {
  return `
CREATE TABLE ${S}.api_keys (
  id text PRIMARY KEY COLLATE "C",
  namespace text NOT NULL,
  label text,
  scopes text[] NOT NULL,
  hash text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_by_namespace ON ${S}.api_keys (namespace, id);
`;
}
