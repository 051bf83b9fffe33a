/**
 * Runs the independent validators our Node tests compare against: Debian's dicom3tools (dciodvfy), dcmtk
 * (dcmdump) and Debian's python3 with pydicom/nibabel/numpy. CI installs them (.ci/run); a missing tool makes
 * the test FAIL with a message saying what to install, never skip, so a green run always means the check ran.
 *
 * Python is always /usr/bin/python3: the `python3` first on PATH may be a pyenv build without these modules.
 */
import { spawnSync } from 'node:child_process';

/** Debian's interpreter, which has python3-pydicom, python3-nibabel and python3-numpy. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

const PACKAGES: Record<string, string> = {
  dciodvfy: 'dicom3tools',
  dcmdump: 'dcmtk',
  plastimatch: 'plastimatch',
  [SYSTEM_PYTHON]: 'python3',
};

export interface ToolResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `command args…` and returns its exit status and output. Throws an Error naming the Debian package when
 * the program is missing, so the calling test fails with an actionable message.
 */
export function runTool(command: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): ToolResult {
  const r = spawnSync(command, args, { encoding: 'utf8', input: options.input, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new Error(`${command} is not installed: apt-get install ${PACKAGES[command] ?? command} (CI installs it in .ci/run)`);
    }
    throw new Error(`${command} failed to run: ${r.error.message}`);
  }
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs a Python script with Debian's python3, passing `args` as sys.argv[1:], and parses the JSON it prints on
 * stdout. A missing module (pydicom, nibabel, numpy) fails with the Debian package to install.
 */
export function runPythonJson<T>(script: string, args: readonly string[] = []): T {
  const r = runTool(SYSTEM_PYTHON, ['-c', script, ...args], { timeoutMs: 120_000 });
  if (r.status !== 0) {
    const missing = /No module named '([^']+)'/.exec(r.stderr);
    if (missing) throw new Error(`${SYSTEM_PYTHON} lacks the module ${missing[1]}: apt-get install python3-${missing[1]} (CI installs it in .ci/run)`);
    throw new Error(`python script failed (exit ${r.status}):\n${r.stderr}`);
  }
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`python script printed no JSON:\n${r.stdout.slice(0, 2000)}\n${r.stderr}`);
  }
}

/** dciodvfy's findings for one file: lines starting with "Error" and with "Warning". */
export interface DciodvfyReport {
  readonly errors: string[];
  readonly warnings: string[];
  readonly output: string;
}

/** Validates one DICOM file against its IOD with `dciodvfy -new` (dicom3tools) and sorts the findings. */
export function dciodvfy(path: string): DciodvfyReport {
  const r = runTool('dciodvfy', ['-new', path]);
  // dciodvfy prints its findings on stderr; read both streams so a version that moves them still counts.
  const output = `${r.stdout}\n${r.stderr}`;
  const lines = output.split('\n').map((l) => l.trim());
  // A dciodvfy that crashed (an assertion on an encoding it cannot read) reports no "Error" line: count it as one.
  const crashed = r.status === -1 || /Assertion .* failed|Segmentation fault|core dumped/.test(output);
  return {
    errors: [...(crashed ? [`dciodvfy did not finish (exit ${r.status}): ${output.trim().split('\n').at(-1)}`] : []), ...lines.filter((l) => l.startsWith('Error'))],
    warnings: lines.filter((l) => l.startsWith('Warning')),
    output,
  };
}
