/** Money is integer cents, USD (DESIGN §3); this is how people read it. Pure: usable in workflows. */
export const formatUsd = (cents: number): string => `$${(cents / 100).toFixed(2)}`;
