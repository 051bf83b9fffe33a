/** See wtr-orthanc.js. */
export function delineoOrthanc(): {
  name: string;
  executeCommand(args: { command: string; payload?: unknown }): Promise<unknown>;
  serverStop(): Promise<void>;
};
