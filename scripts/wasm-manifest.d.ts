// Types for wasm-manifest.js, which vite.config.ts and the tests (TypeScript) import.
/** One pinned file: served at `url` in the built app, copied from node_modules/<package>/<path>. */
export interface WasmFile {
  readonly url: string;
  readonly package: string;
  readonly version: string;
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}
export interface WasmManifest {
  readonly files: readonly WasmFile[];
}
export declare const WASM_MANIFEST: string;
export declare const WASM_SOURCES: readonly { readonly url: string; readonly package: string; readonly folder: string; readonly files: RegExp }[];
export declare function sha256File(path: string): string;
export declare function computeWasmManifest(root?: string): WasmManifest;
export declare function readWasmManifest(root?: string): WasmManifest;
export declare function writeWasmManifest(root?: string): WasmManifest;
export declare function wasmManifestProblems(manifest: WasmManifest, root?: string): string[];
export declare function copyWasm(manifest: WasmManifest, outDir: string, root?: string): void;
