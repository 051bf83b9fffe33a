/**
 * The bridge between the engine and ONNX Runtime, written against the API that onnxruntime-web and
 * onnxruntime-node share (`InferenceSession.create(bytes, options)`, `new Tensor('float32', data, dims)`), so
 * the browser worker and the Node CLI run the very same code and differ only in which `ort` they pass.
 * Also: model integrity (size + SHA-256 before the bytes reach ONNX Runtime) and the check that the network
 * matches its manifest, each with a typed {@link InferenceError}.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { InferenceError } from './errors.ts';
import type { ModelManifest, OnnxNetworkSpec } from './manifest.ts';
import type { TileRunner } from './sliding-window.ts';

/** The part of an `onnxruntime-*` module the engine uses. */
export interface OrtModule {
  readonly InferenceSession: { create(buffer: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => Tensor;
}

/** Lower-case hex SHA-256 of some bytes (WebCrypto: browsers, workers and Node ≥ 19). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The ONNX file a manifest names, as the integrity check and the session check need it. */
export interface OnnxFileSpec {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly inputName: string;
  readonly outputName: string;
}

/** Throws 'corrupt-model' unless the bytes have the spec's size and SHA-256. */
export async function verifyOnnxFile(bytes: Uint8Array, spec: OnnxFileSpec): Promise<void> {
  if (bytes.byteLength !== spec.bytes) {
    throw new InferenceError('corrupt-model', `the model file is ${bytes.byteLength} bytes, the manifest says ${spec.bytes}: it is truncated or not the file the manifest describes`, { file: spec.file });
  }
  const hash = await sha256Hex(bytes);
  if (hash !== spec.sha256) {
    throw new InferenceError('corrupt-model', `the model file's SHA-256 is ${hash}, the manifest says ${spec.sha256}: the file is damaged or was replaced`, { file: spec.file });
  }
}

/** Throws 'corrupt-model' unless the bytes have the manifest's size and SHA-256. */
export async function verifyModelBytes(bytes: Uint8Array, manifest: ModelManifest): Promise<void> {
  const spec = manifest.onnx?.model;
  if (!spec) throw new InferenceError('model-mismatch', `model "${manifest.id}" is rule-based and has no network`);
  await verifyOnnxFile(bytes, spec);
}

/** A started network: the runner the sliding window calls, the provider it runs on, and a way to free it. */
export interface OrtNetwork {
  readonly runner: TileRunner;
  readonly provider: string;
  release(): Promise<void>;
}

/**
 * Checks that a session's inputs and outputs are what the manifest says (names; rank; channel counts where
 * the graph fixes them), so a manifest written for another network fails at load with 'model-mismatch'
 * instead of producing garbage.
 */
export function checkSessionMatchesManifest(session: Pick<InferenceSession, 'inputNames' | 'outputNames'> & Partial<Pick<InferenceSession, 'inputMetadata' | 'outputMetadata'>>, net: OnnxNetworkSpec): void {
  const { inputName, outputName, classes } = net.model;
  if (!session.inputNames.includes(inputName)) {
    throw new InferenceError('model-mismatch', `the manifest names input "${inputName}" but the network's inputs are ${JSON.stringify(session.inputNames)}`);
  }
  if (!session.outputNames.includes(outputName)) {
    throw new InferenceError('model-mismatch', `the manifest names output "${outputName}" but the network's outputs are ${JSON.stringify(session.outputNames)}`);
  }
  const rank = net.layout.kind === '3d' ? 5 : 4;
  const channels = net.layout.kind === '3d' ? 1 : 2 * net.layout.contextSlices + 1;
  const check = (meta: readonly InferenceSession.ValueMetadata[] | undefined, name: string, ch: number, what: string) => {
    const m = meta?.find((x) => x.name === name);
    if (!m || !m.isTensor || !Array.isArray(m.shape)) return;
    if (m.shape.length !== rank) {
      throw new InferenceError('model-mismatch', `the network's ${what} "${name}" has rank ${m.shape.length}, the manifest's ${net.layout.kind} layout needs rank ${rank}`);
    }
    const c = m.shape[1];
    if (typeof c === 'number' && c !== ch) {
      throw new InferenceError('model-mismatch', `the network's ${what} "${name}" has ${c} channels, the manifest needs ${ch}`);
    }
  };
  check(session.inputMetadata, inputName, channels, 'input');
  check(session.outputMetadata, outputName, classes, 'output');
}

/**
 * Verifies the bytes, starts an ONNX Runtime session on the given execution providers and returns the
 * network. Parse failures become 'corrupt-model', provider failures 'backend-unavailable'.
 *
 * ONNX Runtime's memory pattern is off: with it, a session's first two runs at a new input shape are slow (it
 * plans a single block from them) and the block is large. A browser tile worker runs one patch per CT, so with
 * the pattern its second CT would pay the slow run too. Measured in models/hn-oar/MODEL_CARD.md (Speed, memory).
 */
export async function createOrtNetwork(ort: OrtModule, bytes: Uint8Array, manifest: ModelManifest, sessionOptions: InferenceSession.SessionOptions = {}): Promise<OrtNetwork> {
  await verifyModelBytes(bytes, manifest);
  const net = manifest.onnx!;
  const session = await openOrtSession(ort, bytes, net.model, sessionOptions);
  checkSessionMatchesManifest(session, net);
  return sessionNetwork(ort, session, net.model, sessionOptions);
}

/**
 * Starts an ONNX Runtime session on verified bytes (see {@link createOrtNetwork} for the options the engine sets).
 * Parse failures become 'corrupt-model', provider failures 'backend-unavailable'.
 */
export async function openOrtSession(ort: OrtModule, bytes: Uint8Array, spec: OnnxFileSpec, sessionOptions: InferenceSession.SessionOptions = {}): Promise<InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', enableMemPattern: false, ...sessionOptions });
  } catch (e) {
    const msg = String((e as Error)?.message ?? e);
    const code = /protobuf|parse|invalid model|load model/i.test(msg) ? 'corrupt-model' : 'backend-unavailable';
    throw new InferenceError(code, `ONNX Runtime could not load the model: ${msg}`, { file: spec.file, cause: e });
  }
}

/** A started session as an {@link OrtNetwork}: one input and one output, as the spec names them. */
export function sessionNetwork(ort: OrtModule, session: InferenceSession, spec: OnnxFileSpec, sessionOptions: InferenceSession.SessionOptions = {}): OrtNetwork {
  const { inputName, outputName } = spec;
  const providers = (sessionOptions.executionProviders ?? ['cpu']).map((p) => (typeof p === 'string' ? p : p.name));
  return {
    provider: providers[0] ?? 'cpu',
    runner: {
      async run(input, dims) {
        const feeds = { [inputName]: new ort.Tensor('float32', input, dims) };
        const out = await session.run(feeds);
        const t = out[outputName];
        const data = t.data as Float32Array;
        // A copy detaches us from ONNX Runtime's buffer, which it may reuse on the next run.
        const copy = new Float32Array(data.length);
        copy.set(data);
        for (const v of Object.values(out)) v.dispose?.();
        return copy;
      },
    },
    release: () => session.release(),
  };
}
