import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** Milliseconds taken by `f`, and its result. */
export function time<T>(f: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = f();
  return { ms: performance.now() - t0, value };
}

/** Writes a bench's figures to bench/results/<name>.json and prints them. */
export function report(name: string, figures: Record<string, unknown>): void {
  mkdirSync('bench/results', { recursive: true });
  const json = JSON.stringify({ date: new Date().toISOString(), ...figures });
  writeFileSync(`bench/results/${name}.json`, json + '\n');
  console.log(JSON.stringify(figures, null, 2));
}

export const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/**
 * Where a command's time goes: runs it once under `node --cpu-prof` and sums the CPU profile's samples by phase.
 * A sample belongs to the first phase (in the order given) that names a function on its stack; samples in no
 * phase count as "other" (module loading, the garbage collector, idle I/O waits). Milliseconds, rounded.
 */
export function profilePhases(nodeArgs: string[], phases: Record<string, readonly string[]>): Record<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'delineo-bench-prof-'));
  try {
    const r = spawnSync('node', ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...nodeArgs], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`node ${nodeArgs.join(' ')} failed (${r.status}): ${r.stderr.slice(-1000)}`);
    const profile = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8')) as {
      nodes: { id: number; callFrame: { functionName: string }; children?: number[] }[];
      samples: number[];
      timeDeltas: number[];
    };
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const name = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName]));
    const entries = Object.entries(phases);
    const phaseOf = new Map<number, string>();
    const classify = (id: number): string => {
      let found = phaseOf.get(id);
      if (found) return found;
      const stack = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.add(name.get(at)!);
      found = entries.find(([, fns]) => fns.some((f) => stack.has(f)))?.[0] ?? 'other';
      phaseOf.set(id, found);
      return found;
    };
    const ms: Record<string, number> = Object.fromEntries([...entries.map(([k]) => [k, 0]), ['other', 0]]);
    profile.samples.forEach((id, n) => (ms[classify(id)] += (profile.timeDeltas[n] ?? 0) / 1000));
    return Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, Math.round(v)]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
