// Started by the CSP page (app.ts): reports whether the page's policy reached this worker too — eval refused,
// WebAssembly still compiled ('wasm-unsafe-eval').
let evalBlocked: boolean;
try {
  evalBlocked = new Function('return 1')() !== 1;
} catch (e) {
  evalBlocked = e instanceof EvalError;
}
// The smallest valid module: the magic number and version 1.
WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))
  .then(() => postMessage({ evalBlocked, wasm: true }))
  .catch((e: Error) => postMessage({ evalBlocked, wasm: `${e.name}: ${e.message}` }));
