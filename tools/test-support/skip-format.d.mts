export function formatSkipSummary(counts: Record<string, number>): string;
export const SKIPS_FILE: string;
