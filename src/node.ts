/**
 * Delineo's public API for Node: everything of src/index.ts plus what needs the file system, Node's worker
 * threads or onnxruntime-node (the CLI, scripts, benchmarks and services). Browser code imports src/index.ts.
 */
export * from './index.ts';
export { listDicomInputs, loadDicomDirectory, loadDicomDirectoryHeaders, loadImageFile, loadPath, scanDicomDirectory } from './io/load-node.ts';
export { readVolumeNifti, writeLabelMapNifti, writeMaskNifti, writeVolumeNifti } from './io/itk/nifti.ts';
export { writeCtSeriesToDirectory, type CtSeriesOnDisk } from './io/dicom/ct-writer-node.ts';
export { readImageVolumeDataFromPath } from './io/itk/image-io-node.ts';
export { createNodeGdcmDecoder } from './io/itk/dicom-decoder-node.ts';
export { interpolateBetweenSlicesNode } from './io/itk/contour-interpolation-node.ts';
export { nodeParentEndpoint, nodeWorkerEndpoint, spawnNodeWorker } from './jobs/node-worker.ts';
export { MODELS_DIR, loadNodeNetwork, readManifest, segmentNode, type NodeSegmentOptions } from './inference/segment-node.ts';
export { DEFAULT_QUEUE, rtstructSeriesDescription, rtstructUids, segmentJobId, type SegmentJobData, type SegmentJobProgress, type SegmentJobResult } from './service/job-id.ts';
export { AUTH_ENV, AUTH_FILE_ENV, CredentialsError, authorizationFromEnvironment, retryingFetch, type RetryPolicy } from './service/http.ts';
export { ServiceJobError, processSeries, type ProcessSeriesInput } from './service/process-series.ts';
export { API_TOKEN_ENV, API_TOKEN_FILE_ENV, ApiTokenError, apiJob, apiTokenFromEnvironment, startApi, type ApiOptions } from './service/api.ts';
export { ServiceQueue, WatchState, consumeQueue, type QueueConsumer, type QueueSummary, type QueueWorkerOptions, type SubmitOptions, type SubmitResult } from './service/queue.ts';
export { startWorker, type ServiceWorker, type ServiceWorkerOptions } from './service/worker.ts';
export { pollOnce, watchPacs, type PollReport, type WatchOptions } from './service/watch.ts';
export { contourLengthPerSlice, spearman, sumPerSlice, topSliceCapture } from './inference/uncertainty-metrics.ts';
export { predictDoseNode, readDoseManifest, loadDoseNodeNetwork } from './inference/dose-node.ts';
