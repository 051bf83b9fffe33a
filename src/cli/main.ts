/**
 * The `delineo` command line: dispatches subcommands. Node-only (started by bin/delineo.js); later issues add
 * segment beside `phantom`, `export` and `import`.
 */
import { PHANTOM_USAGE, phantomCommand, type CommandIo } from './phantom.ts';
import { EXPORT_USAGE, exportCommand, IMPORT_USAGE, importCommand } from './rtstruct.ts';
import { SEGMENT_USAGE, segmentCommand } from './segment.ts';
import { DVH_USAGE, dvhCommand } from './dvh.ts';

const USAGE = `Usage: delineo <command> [options]

Commands:
  phantom    write a synthetic thorax CT with exact ground-truth structures
  export     write a label map as a DICOM RT Structure Set for a CT series
  import     read a DICOM RT Structure Set onto its CT as one NIfTI mask per ROI
  segment    auto-contour a CT with a local model (ONNX network or rules)
  dvh        dose–volume histograms and constraint checks of a structure set in an RT Dose

Run "delineo <command> --help" for a command's options.`;

const consoleIo: CommandIo = { log: (l) => console.log(l), error: (l) => console.error(l) };

/**
 * Runs the command line `argv` (without node and script paths) and resolves to the exit code: the
 * subcommand's, 0 for help, 2 for an unknown or missing command.
 */
export async function main(argv: readonly string[], io: CommandIo = consoleIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'phantom':
      return phantomCommand(rest, io);
    case 'export':
      return exportCommand(rest, io);
    case 'import':
      return importCommand(rest, io);
    case 'segment':
      return segmentCommand(rest, io);
    case 'dvh':
      return dvhCommand(rest, io);
    case 'help':
    case '--help':
    case '-h':
      io.log(({ phantom: PHANTOM_USAGE, export: EXPORT_USAGE, import: IMPORT_USAGE, segment: SEGMENT_USAGE, dvh: DVH_USAGE } as Record<string, string>)[rest[0] ?? ''] ?? USAGE);
      return 0;
    default:
      io.error(command === undefined ? USAGE : `delineo: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
