// Types for dev-middleware.js, which vite.config.ts (TypeScript) imports; the Koa middleware it also
// exports is used only by web-test-runner's JavaScript config and is typed loosely here.
export declare const RAW_PREFIXES: Readonly<Record<string, string>>;
export declare function rawFile(urlPath: string): string | null;
export declare function isolationHeaders(ctx: unknown, next: () => Promise<unknown>): Promise<void>;
export declare function rawAssets(ctx: unknown, next: () => Promise<unknown>): Promise<unknown>;
