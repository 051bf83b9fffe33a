/**
 * The worker thread a service worker runs each job in (see process-series.ts): the model's computation blocks
 * its thread for seconds, and on the worker's main thread that would stop the queue's lock renewals and let
 * another worker take a job that is still running. Node-only.
 */
import { exposeJobs } from '../jobs/worker-rpc.ts';
import { nodeParentEndpoint } from '../jobs/node-worker.ts';
import { processSeries } from './process-series.ts';

/** The jobs this thread serves. */
export const segmentSeriesApi = { processSeries };
export type SegmentSeriesApi = typeof segmentSeriesApi;

exposeJobs(segmentSeriesApi, nodeParentEndpoint(), { progressHz: 2 });
