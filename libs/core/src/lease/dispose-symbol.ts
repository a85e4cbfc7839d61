/**
 * Node 20 has no `Symbol.asyncDispose` yet (Node 22+ does). TypeScript compiles `await using` to a
 * helper that looks the symbol up at run time, so define it before any PoolConnection exists.
 * `Symbol.for` lets other polyfills loaded in the same process agree on the same symbol.
 */
const symbols = Symbol as unknown as { asyncDispose?: symbol; dispose?: symbol };
symbols.asyncDispose ??= Symbol.for('Symbol.asyncDispose');
symbols.dispose ??= Symbol.for('Symbol.dispose');

export {};
