import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * GraphQL Code Generator: the printed schema plus the playground's saved operations → typed
 * documents in src/client/gql/ (committed; `npm run codegen`, drift-checked by
 * test/codegen-drift.test.ts). Documents are plain strings (`documentMode: 'string'`), so the
 * client and the browser dashboard need no GraphQL parser at runtime.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['playground/operations/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'src/client/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        importExtension: '.js',
        strictScalars: true,
        scalars: {
          JSON: 'unknown',
          JSONObject: 'Record<string, unknown>',
          DateTime: 'string',
        },
      },
    },
  },
};

export default config;
