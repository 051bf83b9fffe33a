/**
 * The `delineo` command line: dispatches subcommands. Node-only (started by bin/delineo.js). Each subcommand's
 * module is imported only when it runs: start-up is part of every command's time, and `segment` alone pulls in
 * onnxruntime-node.
 */
import { packageVersion } from '../io/package-root.ts';
import type { CommandIo } from './phantom.ts';

const USAGE = `Usage: delineo <command> [options]

Commands:
  phantom    write a synthetic thorax CT with exact ground-truth structures
  export     write a label map as a DICOM RT Structure Set for a CT series
  import     read a DICOM RT Structure Set onto its CT as one NIfTI mask per ROI
  segment    auto-contour a CT with a local model (ONNX network or rules)
  propagate  register a new CT to the planning CT and carry its structures over (rigid)
  dvh        dose–volume histograms and constraint checks of a structure set in an RT Dose
  predict-dose  predict the dose of a CT and its structure set with a local model, as an RT Dose (PREDICTED)
  worker     auto-contouring service: take jobs from a Redis queue, contour, store into the PACS
  submit     auto-contouring service: queue one CT series (idempotent)
  watch      auto-contouring service: submit every new, complete CT series the PACS receives
  jobs       auto-contouring service: job counts by state and the last failures
  api        auto-contouring service: the HTTP front for browsers (submit a series, follow its job)

Run "delineo <command> --help" for a command's options, "delineo --version" for the version.`;

const consoleIo: CommandIo = { log: (l) => console.log(l), error: (l) => console.error(l) };

/** Each subcommand: its usage text and how to run it, loaded on demand. */
const COMMANDS: Record<string, () => Promise<{ usage: string; run: (argv: readonly string[], io: CommandIo) => Promise<number> }>> = {
  phantom: async () => {
    const m = await import('./phantom.ts');
    return { usage: m.PHANTOM_USAGE, run: m.phantomCommand };
  },
  export: async () => {
    const m = await import('./rtstruct.ts');
    return { usage: m.EXPORT_USAGE, run: m.exportCommand };
  },
  import: async () => {
    const m = await import('./rtstruct.ts');
    return { usage: m.IMPORT_USAGE, run: m.importCommand };
  },
  segment: async () => {
    const m = await import('./segment.ts');
    return { usage: m.SEGMENT_USAGE, run: m.segmentCommand };
  },
  propagate: async () => {
    const m = await import('./propagate.ts');
    return { usage: m.PROPAGATE_USAGE, run: m.propagateCommand };
  },
  dvh: async () => {
    const m = await import('./dvh.ts');
    return { usage: m.DVH_USAGE, run: m.dvhCommand };
  },
  'predict-dose': async () => {
    const m = await import('./predict-dose.ts');
    return { usage: m.PREDICT_DOSE_USAGE, run: m.predictDoseCommand };
  },
  worker: async () => {
    const m = await import('./service.ts');
    return { usage: m.WORKER_USAGE, run: m.workerCommand };
  },
  submit: async () => {
    const m = await import('./service.ts');
    return { usage: m.SUBMIT_USAGE, run: m.submitCommand };
  },
  watch: async () => {
    const m = await import('./service.ts');
    return { usage: m.WATCH_USAGE, run: m.watchCommand };
  },
  jobs: async () => {
    const m = await import('./service.ts');
    return { usage: m.JOBS_USAGE, run: m.jobsCommand };
  },
  api: async () => {
    const m = await import('./service.ts');
    return { usage: m.API_USAGE, run: m.apiCommand };
  },
};

/**
 * Runs the command line `argv` (without node and script paths) and resolves to the exit code: the
 * subcommand's, 0 for help and the version, 2 for an unknown or missing command.
 */
export async function main(argv: readonly string[], io: CommandIo = consoleIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && Object.hasOwn(COMMANDS, command)) return (await COMMANDS[command]()).run(rest, io);
  switch (command) {
    case 'help':
    case '--help':
    case '-h': {
      const topic = rest[0];
      io.log(topic !== undefined && Object.hasOwn(COMMANDS, topic) ? (await COMMANDS[topic]()).usage : USAGE);
      return 0;
    }
    case 'version':
    case '--version':
    case '-v':
      io.log(packageVersion(import.meta.url));
      return 0;
    default:
      io.error(command === undefined ? USAGE : `delineo: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
