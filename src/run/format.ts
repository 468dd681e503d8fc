// Locale-independent number formatting: `LANG` must never change a report.
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `1537472` → `1,537,472`. */
export function formatCount(n: number): string {
  return grouped.format(n);
}
