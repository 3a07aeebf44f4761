/** A WebAssembly text file, compiled to its module's bytes at build time (scripts/watPlugin.mjs). */
declare module '*.wat' {
  const bytes: Uint8Array;
  export default bytes;
}
