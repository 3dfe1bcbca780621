import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AUTH_SETTINGS } from '../../src/auth/auth-config.js';
import { LIMIT_SETTINGS, LIVE_SETTINGS, QUERY_LIMIT_SETTINGS, RETENTION_SETTINGS, SERVER_SETTINGS } from '../../src/config.js';
import { ERROR_CODES } from '../../src/domain/errors.js';
import { schema } from '../../src/schema/index.js';
import { GRAPHQL_ERROR_CODES } from '../../src/server/mask-error.js';

const README = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

function section(name: string): string {
  const match = new RegExp(`<!-- section:${name} -->([\\s\\S]*?)<!-- /section:${name} -->`).exec(README);
  if (!match) throw new Error(`README has no section ${name}`);
  return match[1]!;
}

/** The first cell of every body row of the section's table. */
function firstCells(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .slice(1)
    .map((line) => line.split('|')[1]!.trim());
}

const toCode = (member: string) => member.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

describe('README error table', () => {
  const rows = firstCells(section('errors')).map((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
  const errorTypes = Object.values(schema.getTypeMap())
    .filter((t) => isObjectType(t) && t.getInterfaces().some((i) => i.name === 'Error'))
    .map((t) => t.name)
    .sort();
  const members = rows.flatMap((names) => names.filter((n) => /^[A-Z][a-z]/.test(n)));
  const codes = rows.flatMap((names) => names.filter((n) => /^[A-Z_]+$/.test(n)));

  it('lists every union member implementing Error, and no other', () => {
    expect(errorTypes.length).toBeGreaterThan(0);
    expect([...members].sort()).toEqual(errorTypes);
  });

  it('lists every error code of the domain and of the GraphQL layer, and no other', () => {
    const known = new Set<string>([...ERROR_CODES, ...GRAPHQL_ERROR_CODES]);
    expect(codes.filter((c) => !known.has(c))).toEqual([]);
    for (const code of known) expect(codes, code).toContain(code);
  });

  it("names each member's code in the member's own row", () => {
    for (const names of rows) {
      const member = names.find((n) => /^[A-Z][a-z]/.test(n));
      if (member) expect(names, member).toContain(toCode(member));
    }
  });
});

describe('README settings table', () => {
  const text = section('settings');
  it('documents every environment variable and flag the config reads', () => {
    for (const s of [
      ...Object.values(SERVER_SETTINGS),
      ...LIMIT_SETTINGS,
      ...QUERY_LIMIT_SETTINGS,
      ...LIVE_SETTINGS,
      ...Object.values(RETENTION_SETTINGS),
      ...AUTH_SETTINGS,
    ]) {
      expect(text, s.env).toContain(`\`${s.env}\``);
      expect(text, s.flag).toContain(`\`${s.flag}\``);
    }
    expect(text).toContain('`NODE_ENV`');
  });
});
