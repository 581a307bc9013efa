// The release build/core.wasm as base64. rollup.browser.config.mjs replaces
// this module with the real bytes, so dist/browser.mjs carries its core and
// loads it without a fetch or any configuration; the unbundled source has none.
export const coreWasmBase64: string | undefined = undefined;
