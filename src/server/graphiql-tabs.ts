import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One GraphiQL tab (Yoga's TabDefinition). */
export interface GraphiqlTab {
  query: string;
  variables?: string;
}

const FIRST = ['AppendEntries', 'Thread', 'Hibernate', 'Thaw'];

/**
 * The playground's saved operations (`dir/*.graphql`) as GraphiQL tabs, each with the
 * fragments it uses (from `fragments.graphql`, transitively) appended and its variables from
 * `variables.json` (keyed by operation name). Read once at startup. A missing or unreadable
 * directory gives no tabs; it never throws.
 */
export function loadGraphiqlTabs(dir: string): GraphiqlTab[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.graphql'));
  } catch {
    return [];
  }
  const read = (name: string): string => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      return '';
    }
  };
  const fragments = splitFragments(read('fragments.graphql'));
  let variables: Record<string, unknown> = {};
  try {
    variables = JSON.parse(read('variables.json') || '{}') as Record<string, unknown>;
  } catch {
    variables = {};
  }
  const tabs: { name: string; tab: GraphiqlTab }[] = [];
  for (const file of files) {
    if (file === 'fragments.graphql') continue;
    const source = read(file);
    const name = /\b(?:query|mutation|subscription)\s+([A-Za-z_]\w*)/.exec(source)?.[1] ?? file;
    const used = usedFragments(source, fragments);
    const query = [source.trimEnd(), ...used.map((f) => fragments.get(f)!)].join('\n\n') + '\n';
    const vars = variables[name];
    tabs.push({ name, tab: vars === undefined ? { query } : { query, variables: JSON.stringify(vars, null, 2) } });
  }
  const rank = (n: string) => (FIRST.includes(n) ? FIRST.indexOf(n) : FIRST.length);
  tabs.sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
  return tabs.map((t) => t.tab);
}

function splitFragments(source: string): Map<string, string> {
  const map = new Map<string, string>();
  const re = /fragment\s+([A-Za-z_]\w*)\s+on\s+[A-Za-z_]\w*\s*\{/g;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    let depth = 0;
    let end = m.index;
    for (let i = m.index; i < source.length; i++) {
      if (source[i] === '{') depth++;
      else if (source[i] === '}' && --depth === 0) {
        end = i + 1;
        break;
      }
    }
    map.set(m[1]!, source.slice(m.index, end));
  }
  return map;
}

function usedFragments(source: string, fragments: Map<string, string>): string[] {
  const used: string[] = [];
  const visit = (text: string): void => {
    for (const m of text.matchAll(/\.\.\.\s*([A-Za-z_]\w*)/g)) {
      const name = m[1]!;
      if (name === 'on' || used.includes(name) || !fragments.has(name)) continue;
      used.push(name);
      visit(fragments.get(name)!);
    }
  };
  visit(source);
  return used;
}
