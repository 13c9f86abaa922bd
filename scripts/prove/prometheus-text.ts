/**
 * Reading a Prometheus text exposition (the worker's SDK metrics, the API's /metrics): the samples,
 * sums over series, and quantiles of histograms between two scrapes, as `histogram_quantile` does.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!;
    const raw = m[3]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    samples.push({ name: m[1]!, labels, value });
  }
  return samples;
}

export async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return parsePrometheus(await res.text());
}

/** The sum of every series of `name` (0 when there is none). */
export function total(samples: Sample[], name: string): number {
  return samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);
}

/** Cumulative bucket counts of histogram `name`, summed over its series, by upper bound. */
export type Buckets = Map<number, number>;

export function buckets(samples: Sample[], name: string): Buckets {
  const out: Buckets = new Map();
  for (const s of samples) {
    if (s.name !== `${name}_bucket`) continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    out.set(le, (out.get(le) ?? 0) + s.value);
  }
  return new Map([...out].sort((a, b) => a[0] - b[0]));
}

/** What was observed between two scrapes of one histogram. */
export function bucketsBetween(before: Buckets, after: Buckets): Buckets {
  return new Map([...after].map(([le, n]) => [le, n - (before.get(le) ?? 0)]));
}

/** The observations in a histogram. */
export const countOf = (b: Buckets): number => b.get(Infinity) ?? 0;

/**
 * The q-quantile (0–1) as Prometheus' `histogram_quantile` estimates it: linear within the bucket
 * that holds it; `bound` is that bucket's upper bound, the most it can be.
 */
export function quantile(b: Buckets, q: number): { estimate: number; bound: number } {
  const n = countOf(b);
  if (n === 0) return { estimate: 0, bound: 0 };
  const rank = q * n;
  let lower = 0;
  let below = 0;
  for (const [le, cumulative] of b) {
    if (cumulative >= rank) {
      if (le === Infinity) return { estimate: lower, bound: Infinity };
      const inBucket = cumulative - below;
      const estimate = inBucket > 0 ? lower + ((le - lower) * (rank - below)) / inBucket : le;
      return { estimate, bound: le };
    }
    lower = le;
    below = cumulative;
  }
  return { estimate: lower, bound: Infinity };
}
