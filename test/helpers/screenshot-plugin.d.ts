/** See screenshot-plugin.js. */
export function screenshotPlugin(options?: { root?: string }): {
  name: string;
  executeCommand(args: { command: string; payload: unknown; session?: unknown }): Promise<unknown>;
};
