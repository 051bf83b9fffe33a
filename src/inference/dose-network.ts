/**
 * A dose model's network on ONNX Runtime (onnxruntime-web or -node, through ort-runner.ts): the bytes checked
 * against the manifest's size and SHA-256, the session's input and output against its names, rank and channels.
 * Browser-safe.
 */
import type { InferenceSession } from 'onnxruntime-common';
import type { DoseModelManifest } from './dose-manifest.ts';
import { InferenceError } from './errors.ts';
import { openOrtSession, sessionNetwork, verifyOnnxFile, type OrtModule, type OrtNetwork } from './ort-runner.ts';

/**
 * Throws 'model-mismatch' unless the session has the manifest's input and output, of rank 5, with as many input
 * channels as the manifest lists and one output channel (where the graph fixes them).
 */
export function checkDoseSession(session: Pick<InferenceSession, 'inputNames' | 'outputNames'> & Partial<Pick<InferenceSession, 'inputMetadata' | 'outputMetadata'>>, manifest: DoseModelManifest): void {
  const { inputName, outputName } = manifest.dose.model;
  if (!session.inputNames.includes(inputName)) throw new InferenceError('model-mismatch', `the manifest names input "${inputName}" but the network's inputs are ${JSON.stringify(session.inputNames)}`);
  if (!session.outputNames.includes(outputName)) throw new InferenceError('model-mismatch', `the manifest names output "${outputName}" but the network's outputs are ${JSON.stringify(session.outputNames)}`);
  const check = (meta: readonly InferenceSession.ValueMetadata[] | undefined, name: string, channels: number, what: string) => {
    const m = meta?.find((x) => x.name === name);
    if (!m || !m.isTensor || !Array.isArray(m.shape)) return;
    if (m.shape.length !== 5) throw new InferenceError('model-mismatch', `the network's ${what} "${name}" has rank ${m.shape.length}; a dose network takes and returns [N, C, Z, Y, X]`);
    const c = m.shape[1];
    if (typeof c === 'number' && c !== channels) throw new InferenceError('model-mismatch', `the network's ${what} "${name}" has ${c} channels, the manifest needs ${channels}`);
  };
  check(session.inputMetadata, inputName, manifest.dose.channels.length, 'input');
  check(session.outputMetadata, outputName, 1, 'output');
}

/** Verifies the bytes, starts a session with the given options and checks it against the manifest. */
export async function createDoseOrtNetwork(ort: OrtModule, bytes: Uint8Array, manifest: DoseModelManifest, sessionOptions: InferenceSession.SessionOptions = {}): Promise<OrtNetwork> {
  await verifyOnnxFile(bytes, manifest.dose.model);
  const session = await openOrtSession(ort, bytes, manifest.dose.model, sessionOptions);
  try {
    checkDoseSession(session, manifest);
  } catch (e) {
    await session.release();
    throw e;
  }
  return sessionNetwork(ort, session, manifest.dose.model, sessionOptions);
}
