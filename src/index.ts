/**
 * Delineo's public core API: framework-free, usable in Node (CLI) and the browser. Components and
 * embedding portals import only from here.
 */
export * from './domain/index.ts';
export * from './render/index.ts';
export * from './jobs/job.ts';
export * from './jobs/worker-rpc.ts';
export * from './phantom/phantom.ts';
export * from './io/dicom/uid.ts';
export * from './io/dicom/ct-writer.ts';
export * from './state/index.ts';
export * from './io/itk/contour-interpolation.ts';
export * from './io/itk/contour-interpolation-browser.ts';
export * from './mesh/index.ts';
export * from './io/errors.ts';
export type { BufferInput, FileInput, LazyInput } from './io/input.ts';
export { inputName } from './io/input.ts';
export { loadDicomSeries, loadDicomSeriesData, scanDicom, toDicomLoadResult } from './io/dicom/series-loader.ts';
export type { DicomLoadData, DicomLoadOptions, DicomLoadResult, DicomObjectSummary, DicomScanResult, DicomSeriesChoice, DicomSeriesSummary, DicomVolumeData, DicomVolumeResult } from './io/dicom/series-loader.ts';
export type { DecodedPixels, DecodeRequest, PixelDecoder } from './io/dicom/pixels.ts';
export type { PlanOptions } from './io/dicom/series-geometry.ts';
export { loadDicomFiles, loadFiles, loadVolumeFile } from './io/load.ts';
export type { LoadFilesOptions, LoadFilesResult, VolumeFileResult } from './io/load.ts';
export { createIoWorker } from './io/io-worker-client.ts';
export type { IoWorker, IoWorkerOptions } from './io/io-worker-client.ts';
export { configureImageIo } from './io/itk/image-io.ts';
export type { ImageIoConfig } from './io/itk/image-io.ts';
export { createGdcmDecoder } from './io/itk/dicom-decoder.ts';
export { DEFAULT_IMAGE_IO_PIPELINES_PATH, isVolumeFileName } from './io/itk/image-formats.ts';
export { DicomWebClient } from './io/dicomweb/client.ts';
export type { DicomJson, DicomWebClientOptions, DicomWebInstance, DicomWebSeries, DicomWebStudy, HeadersHook, QidoQuery, RetrieveOptions, StoreResult } from './io/dicomweb/client.ts';
export { loadDicomWebSeries } from './io/dicomweb/load.ts';
export type { DicomWebSeriesRef, RetrievedLoader } from './io/dicomweb/load.ts';
export * from './io/dicom/rtstruct.ts';
export * from './io/dicom/rtstruct-writer.ts';
export * from './io/dicom/rtstruct-reader.ts';
export * from './io/dicom/rtstruct-store.ts';
export * from './inference/manifest.ts';
export * from './inference/errors.ts';
export * from './inference/provider.ts';
export { dice, hd95 } from './inference/metrics.ts';
export { segmentWithNetwork, assertCt, type SegmentOptions, type SegmentationResult } from './inference/engine.ts';
export type { TileRunner } from './inference/sliding-window.ts';
export { RULE_MODELS, runRuleModel } from './inference/rules/index.ts';
export { EXTERNAL_LUNGS_BONES, computeBodyMasks, type BodyMasks, type BodyRuleOptions } from './inference/rules/external-lungs-bones.ts';
export { createSegmentClient, defaultSegmentWorker, type SegmentClient, type WorkerSegmentation, type ClientSegmentOptions } from './inference/segment-client.ts';
export type { ModelSource, WasmPaths } from './inference/segment-web.ts';
