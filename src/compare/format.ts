// Number formatting shared by every renderer and by verdict reasons. Pinned to
// en-US so `LANG=de_DE.UTF-8` changes nothing: `1537472` → `1,537,472`.
import type { LegacyPct } from './types.ts';

const formatters = new Map<number, Intl.NumberFormat>();

/** Thousands separators, at most `decimals` fraction digits (trailing zeros dropped). */
export function formatNumber(n: number, decimals = 0): string {
  let f = formatters.get(decimals);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { maximumFractionDigits: decimals, useGrouping: true });
    formatters.set(decimals, f);
  }
  // Avoid "-0" for values that round to zero.
  const s = f.format(n);
  return s === '-0' ? '0' : s;
}

/** Medians of an even number of runs can end in .5; show one decimal only then. */
export function formatValue(n: number | null): string {
  if (n === null) return '';
  return formatNumber(n, Number.isInteger(n) ? 0 : 1);
}

export function formatPct(p: LegacyPct): string {
  if (p === null) return '';
  return p === 'inf' ? 'inf' : formatNumber(p);
}

/** `+18.2%`, `-3.0%`. */
export function formatSignedPct(p: number): string {
  return (p >= 0 ? '+' : '') + p.toFixed(1) + '%';
}

/** KiB as MiB with no decimals below 10 MiB shown with one: `≈146 MiB`. */
export function formatMiB(kib: number): string {
  const mib = kib / 1024;
  return formatNumber(mib, Math.abs(mib) < 10 ? 1 : 0) + ' MiB';
}
