import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * GraphQL Code Generator: the printed schema plus the playground's saved operations → typed
 * documents in src/client/gql/, and the LangGraph saver's operations → src/langgraph/gql/
 * (committed; `npm run codegen`, drift-checked by test/codegen-drift.test.ts). Documents are plain strings (`documentMode: 'string'`), so the
 * client and the browser dashboard need no GraphQL parser at runtime.
 */
const generated = {
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
} as const;

const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  generates: {
    'src/client/gql/': { ...generated, documents: ['playground/operations/*.graphql'] },
    // The LangGraph saver's own operations (not GraphiQL tabs).
    'src/langgraph/gql/': { ...generated, documents: ['src/langgraph/operations/*.graphql'] },
  },
};

export default config;
