// Types of the Emscripten factory (platform/web, built into dist/wasm/synckit.mjs).
declare const createSynckitModule: (options: Record<string, unknown>) => Promise<unknown>;
export default createSynckitModule;
