import { writeFileSync, mkdirSync } from 'node:fs';

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
