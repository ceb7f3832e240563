/** Small numeric helpers for the report. */
export const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
export const mean = (values: number[]) => (values.length ? sum(values) / values.length : NaN);
export const max = (values: number[]) => (values.length ? Math.max(...values) : NaN);

export function median(values: number[]): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Seconds with a fixed number of decimals. */
export const seconds = (ms: number, digits = 2) =>
	Number.isFinite(ms) ? `${(ms / 1000).toFixed(digits)} s` : 'n/a';
export const mib = (bytes: number) =>
	Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : 'n/a';
export const percent = (fraction: number, digits = 1) =>
	Number.isFinite(fraction) ? `${(fraction * 100).toFixed(digits)}%` : 'n/a';

/** How many times the baseline's figure is ours, e.g. "9.1×". */
export function times(baseline: number, ours: number): string {
	if (!Number.isFinite(baseline) || !Number.isFinite(ours)) return 'n/a';
	if (ours === 0) return baseline === 0 ? '1×' : '∞';
	const ratio = baseline / ours;
	return `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1)}×`;
}

/**
 * Baseline ÷ ours for a lower-is-better figure, in words: "9.2× faster" when ours is lower,
 * "1.1× more fetches" (ours ÷ baseline) when ours is higher.
 */
export function compared(baseline: number, ours: number, better: string, worse: string): string {
	if (!Number.isFinite(baseline) || !Number.isFinite(ours)) return 'n/a';
	return baseline >= ours
		? `${times(baseline, ours)} ${better}`
		: `${times(ours, baseline)} ${worse}`;
}

/** A target's verdict in the tables: a miss stands out. */
export const yes = (ok: boolean) => (ok ? 'yes' : '**no**');
