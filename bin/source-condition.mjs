// Resolve hook of the `cryo` command (bin/cryo.mjs): package entries such as `cryo/storage`
// resolve with the "cryo-source" condition, i.e. to the TypeScript sources the server runs from.
// A storage module (CRYO_STORAGE_MODULE) that imports `cryo/storage` then gets the very classes
// the server checks errors against (docs/adapters.md), not a second copy from dist/.
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, 'cryo-source'] });
}
