import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { openStorage } from '../../src/storage/open.js';
import { clusterRootNodes } from '../../src/storage/redis/index.js';
import { parseStorageUrl } from '../../src/storage/url.js';

describe('parseStorageUrl', () => {
  it.each([
    ['memory:', { kind: 'memory' }],
    ['memory://', { kind: 'memory' }],
    [' MEMORY: ', { kind: 'memory' }],
    ['file:./data', { kind: 'file', path: './data' }],
    ['file:data', { kind: 'file', path: 'data' }],
    ['file:/var/lib/cryo', { kind: 'file', path: '/var/lib/cryo' }],
    ['file:///var/lib/my%20cryo', { kind: 'file', path: '/var/lib/my cryo' }],
    ['file://localhost/srv/x', { kind: 'file', path: '/srv/x' }],
    ['sqlite:./data/cryo.db', { kind: 'sqlite', path: './data/cryo.db' }],
    ['sqlite:/var/lib/cryo/cryo.db', { kind: 'sqlite', path: '/var/lib/cryo/cryo.db' }],
    ['sqlite:///var/lib/my%20cryo.db', { kind: 'sqlite', path: '/var/lib/my cryo.db' }],
    ['redis://127.0.0.1:6379/0', { kind: 'redis', url: 'redis://127.0.0.1:6379/0', cluster: false, nodes: ['redis://127.0.0.1:6379/0'] }],
    ['rediss://user:pw@cache.example:6380', { kind: 'redis', cluster: false, nodes: ['rediss://user:pw@cache.example:6380'] }],
    ['redis://localhost', { kind: 'redis', cluster: false }],
    ['postgres://localhost/db', { kind: 'postgres', url: 'postgres://localhost/db', schema: null }],
    ['postgresql://u:pw@db.example:5433/cryo?sslmode=verify-full', { kind: 'postgres', schema: null }],
    ['postgres://u@127.0.0.1/cryo?schema=team_a&sslmode=require', { kind: 'postgres', schema: 'team_a' }],
    ['postgres:///cryo?host=/var/run/postgresql', { kind: 'postgres', schema: null }],
  ])('accepts %s', (url, expected) => {
    expect(parseStorageUrl(url)).toMatchObject(expected);
  });

  it('splits a cluster URL into seed nodes, keeping credentials and TLS', () => {
    expect(parseStorageUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001')).toEqual({
      kind: 'redis',
      url: 'redis+cluster://10.0.0.1:7000,10.0.0.2:7001',
      cluster: true,
      nodes: ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7001'],
    });
    expect(parseStorageUrl('rediss+cluster://u:p@a:1,b:2/')).toMatchObject({ cluster: true, nodes: ['rediss://u:p@a:1', 'rediss://u:p@b:2'] });
  });

  it.each([
    '',
    '   ',
    'data',
    './data',
    'memory:x',
    'file:',
    'file://',
    'file://otherhost/x',
    'sqlite:',
    'sqlite://',
    'sqlite://otherhost/x.db',
    'redis://',
    'redis://host:6379/notadb',
    'redis+cluster://a:1,,b:2',
    'redis+cluster://a:1/3',
    'redis+cluster:a:1',
    'postgres://',
    'postgres://h/db?sslmode=sometimes',
    'postgres://h/db?schema=Bad-Name',
    'postgres://h/db?schema=',
    'http://localhost',
  ])('rejects %j with a ValidationError on field "storage"', (url) => {
    let error: unknown;
    try {
      parseStorageUrl(url);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'storage' });
    expect((error as Error).message).toMatch(/memory:.*file:.*redis:\/\//);
  });

  it('never puts a password into an error message', () => {
    expect(() => parseStorageUrl('redis://user:s3cret@host:1/x')).toThrow(/\*\*\*@/);
    expect(() => parseStorageUrl('redis://user:s3cret@host:1/x')).not.toThrow(/s3cret/);
  });
});

describe('clusterRootNodes (createRedisStorage given a url directly)', () => {
  it('keeps TLS and credentials of a rediss+cluster:// URL on every node, as parseStorageUrl does', () => {
    const url = 'rediss+cluster://u:p@h1:7000,h2:7001';
    expect(clusterRootNodes({ url })).toEqual(['rediss://u:p@h1:7000', 'rediss://u:p@h2:7001']);
    expect(clusterRootNodes({ url })).toEqual((parseStorageUrl(url) as { nodes: string[] }).nodes);
    expect(clusterRootNodes({ url: 'redis+cluster://h1:7000' })).toEqual(['redis://h1:7000']);
    expect(clusterRootNodes({ url: 'rediss://h1:7000', cluster: true })).toEqual(['rediss://h1:7000']);
    expect(clusterRootNodes({ url: 'rediss://h1:7000' })).toBeUndefined();
    expect(() => clusterRootNodes({ url: 'redis+cluster://h1:1,' })).toThrow(ValidationError);
  });
});

describe('openStorage', () => {
  it('opens a working memory storage with the given limits', async () => {
    const storage = await openStorage('memory:', { limits: { maxEntriesPerAppend: 1 } });
    try {
      expect(storage.kind).toBe('memory');
      await storage.ping();
      await expect(storage.appendEntries({ threadId: 't', entries: [{}, {}] })).rejects.toBeInstanceOf(ValidationError);
      expect((await storage.appendEntries({ threadId: 't', entries: [{}] })).thread.rev).toBe(1);
    } finally {
      await storage.close();
    }
  });

  it('rejects a bad URL before opening anything', async () => {
    await expect(openStorage('nope:')).rejects.toBeInstanceOf(ValidationError);
  });
});
