import { readFileSync } from 'node:fs';
import { inclusiveShare, type CpuProfile } from './cpu-profile-summary.js';

/** Inclusive shares of named stages in a profile: `npx tsx bench/lib/profile-breakdown.ts file.cpuprofile`. */
const STAGES: [string, (n: string) => boolean][] = [
  ['socket write (writev/write)', (n) => /^(writev|writeUtf8String|writeBuffer|writeLatin1String) /.test(n) || n === 'writev' || n === 'writeUtf8String' || n === 'writeBuffer'],
  ['garbage collector', (n) => n === '(garbage collector)'],
  ['idle', (n) => n === '(idle)'],
  ['HTTP parser (node)', (n) => n.startsWith('parserOnHeadersComplete') || n.startsWith('parserOnMessageComplete') || n === 'execute' || n.startsWith('parserOnBody')],
  ['body-limit wrapper', (n) => n.includes('src/server/body-limit.ts')],
  ['normalizeNodeRequest', (n) => n.startsWith('normalizeNodeRequest')],
  ['sendNodeResponse', (n) => n.startsWith('sendNodeResponse')],
  ['auth (src/auth + access)', (n) => n.includes('src/auth/') || n.includes('src/server/access.ts')],
  ['request parse (JSON body)', (n) => n.includes('request-parser/post-json') || n.startsWith('parsePOSTJsonRequest') || n.startsWith('json ')],
  ['graphql parse', (n) => n.startsWith('parse graphql/') || n.includes('graphql/language/parser')],
  ['validate', (n) => n.startsWith('validate ') || n.includes('graphql/validation')],
  ['armor', (n) => n.includes('graphql-armor')],
  ['execute (graphql-js)', (n) => n.includes('graphql/execution/execute')],
  ['jit compiled', (n) => n.includes('compiledExecute') || n.includes('graphql-jit')],
  ['coerce variables', (n) => n.includes('coerceVariableValues') || n.includes('coerceInputValue') || n.includes('getVariableValues')],
  ['input list limit', (n) => n.includes('input-list-limit')],
  ['storage', (n) => n.includes('src/storage/')],
  ['domain', (n) => n.includes('src/domain/')],
  ['metrics (src/metrics + prom-client)', (n) => n.includes('src/metrics/') || n.includes('prom-client')],
  ['pothos', (n) => n.includes('@pothos')],
  ['result stringify', (n) => n.includes('stringify.js') || n.startsWith('stringify')],
  ['result processor', (n) => n.includes('result-processor')],
  ['mask error', (n) => n.includes('mask-error')],
];

for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  console.log(`\n${file}`);
  for (const [name, test] of STAGES) console.log(`${inclusiveShare(profile, test).toFixed(1).padStart(5)}%  ${name}`);
}
