// Types for dicomweb-proxy.js, which vite.config.ts (TypeScript) imports.
import type { IncomingMessage, ServerResponse } from 'node:http';

export declare const DICOMWEB_TARGET_ENV: 'DELINEO_DICOMWEB_TARGET';
export declare const DICOMWEB_PREFIX: '/dicomweb';

/** Where the proxy forwards: the path prefix it answers and the upstream root (read on every request). */
export interface DicomWebProxyOptions {
  /** Default `/dicomweb`. */
  readonly prefix?: string;
  /** Default: `process.env.DELINEO_DICOMWEB_TARGET`; undefined or empty turns the proxy off. */
  readonly target?: () => string | undefined;
}

export declare function upstreamUrl(requestUrl: string, target: string, prefix?: string): { url: URL; refused?: undefined } | { refused: string; url?: undefined } | null;
export declare function dicomWebProxyKoa(options?: DicomWebProxyOptions): (ctx: unknown, next: () => Promise<unknown>) => Promise<unknown>;
export declare function dicomWebProxyConnect(options?: DicomWebProxyOptions): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
