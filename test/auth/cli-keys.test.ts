import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileStorage } from '../../src/storage/file/index.js';
import { startAuthApp } from './helpers.js';

const run = promisify(execFile);
const CRYO = join(import.meta.dirname, '../../bin/cryo.mjs');

describe('cryo keys create: the first key, without a server', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cryo-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints the secret once; a server on that storage then accepts it with the namespace and scopes given', async () => {
    const { stdout } = await run(process.execPath, [CRYO, 'keys', 'create', '--storage', `file:${dir}`, '--namespace', 'team', '--scopes', 'read,write,admin', '--label', 'bootstrap']);
    const [secret, note] = stdout.trim().split('\n');
    expect(secret).toMatch(/^cryo_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(note).toMatch(/namespace "team", scopes read,write,admin/);
    const storage = await createFileStorage({ directory: dir });
    const server = await startAuthApp({ storage });
    try {
      const viewer = (await server.data(secret!, '{ viewer { namespace scopes } apiKeys { edges { node { label } } } }'));
      expect(viewer.viewer).toEqual({ namespace: 'team', scopes: ['admin', 'read', 'write'] });
      expect(viewer.apiKeys.edges).toEqual([{ node: { label: 'bootstrap' } }]);
    } finally {
      await server.close();
      await storage.close();
    }
  });

  it('refuses unknown scopes and missing arguments with one line and exit code 2, storing nothing', async () => {
    for (const args of [['--storage', `file:${dir}`, '--namespace', 'team', '--scopes', 'read,root'], ['--namespace', 'team']]) {
      const failure = await run(process.execPath, [CRYO, 'keys', 'create', ...args]).then(
        () => null,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(2);
      expect(failure?.stderr).toMatch(/^cryo: /);
    }
    const storage = await createFileStorage({ directory: dir });
    try {
      expect((await storage.listApiKeys({ namespace: 'team' })).items).toHaveLength(1);
    } finally {
      await storage.close();
    }
  });

  it('lists the keys of a namespace (never a hash or secret), revokes one, and refuses a second revoke with exit code 1', async () => {
    const created = await run(process.execPath, [CRYO, 'keys', 'create', '--storage', `file:${dir}`, '--namespace', 'ops', '--scopes', 'read', '--label', 'reader']);
    const id = /^cryo_([0-9a-f]{16})_/.exec(created.stdout)![1]!;
    const listed = await run(process.execPath, [CRYO, 'keys', 'list', '--storage', `file:${dir}`, '--namespace', 'ops']);
    const [header, row, ...more] = listed.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+STATUS\s+SCOPES\s+CREATED\s+EXPIRES\s+LABEL$/);
    expect(row).toMatch(new RegExp(`^${id}\\s+active\\s+read\\s+\\S+\\s+-\\s+reader$`));
    expect(more).toEqual([]);
    const storage0 = await createFileStorage({ directory: dir });
    const hash = (await storage0.getApiKey(id))!.hash;
    await storage0.close();
    expect(listed.stdout).not.toContain(hash);
    const revoked = await run(process.execPath, [CRYO, 'keys', 'revoke', '--storage', `file:${dir}`, '--namespace', 'ops', '--id', id]);
    expect(revoked.stdout.trim()).toBe(`revoked ${id}`);
    const json = await run(process.execPath, [CRYO, 'keys', 'list', '--storage', `file:${dir}`, '--namespace', 'ops', '--format', 'json']);
    expect(JSON.parse(json.stdout.trim())).toMatchObject({ id, status: 'revoked', scopes: 'read', label: 'reader' });
    for (const args of [
      ['revoke', '--storage', `file:${dir}`, '--namespace', 'ops', '--id', id],
      ['revoke', '--storage', `file:${dir}`, '--namespace', 'team', '--id', id],
    ]) {
      const failure = await run(process.execPath, [CRYO, 'keys', ...args]).then(
        () => null,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toMatch(/^cryo: no active key/);
    }
    const usage = await run(process.execPath, [CRYO, 'keys', 'revoke', '--storage', `file:${dir}`, '--namespace', 'ops']).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(usage?.code).toBe(2);
    const help = await run(process.execPath, [CRYO, 'keys', '--help']);
    expect(help.stdout).toMatch(/cryo keys list/);
  });
});
