import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inferenceOverride } from './app-models.ts';

describe("the app's inference settings", () => {
  it("turn inference-provider and inference-threads into the engine's override", () => {
    assert.deepEqual(inferenceOverride('auto', 0), {});
    assert.deepEqual(inferenceOverride('wasm', 0), { provider: 'wasm' });
    assert.deepEqual(inferenceOverride('wasm', 3), { provider: 'wasm', threads: 3 });
    assert.deepEqual(inferenceOverride('auto', 2), { threads: 2 });
    // WebGPU takes no WASM thread count; unknown providers and nonsense counts mean "let the engine choose".
    assert.deepEqual(inferenceOverride('webgpu', 4), { provider: 'webgpu' });
    assert.deepEqual(inferenceOverride('cuda', Number.NaN), {});
    assert.deepEqual(inferenceOverride('wasm', -1), { provider: 'wasm' });
    assert.deepEqual(inferenceOverride('wasm', 2.7), { provider: 'wasm', threads: 2 });
  });
});
