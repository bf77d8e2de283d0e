/**
 * Sorting text by code point. ddnsd sorts hostnames, interface names and
 * addresses for display, where code-point order reads the same as a locale's;
 * `localeCompare` would load ICU's collation data on first use, about 8 ms of
 * every command's start (docs/performance.md).
 */
export function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
