import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('generated client (src/client/gql)', () => {
  it('matches schema.graphql and playground/operations (run `npm run codegen` when this fails)', async () => {
    const result = await run(process.execPath, ['node_modules/@graphql-codegen/cli/cjs/bin.js', '--config', 'codegen.ts', '--check'], {
      cwd: new URL('../..', import.meta.url).pathname,
      env: { ...process.env, NO_COLOR: '1', CI: 'true' },
    }).then(
      (ok) => ({ code: 0, output: ok.stdout + ok.stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? 1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    expect(result.code, result.output).toBe(0);
  });
});
