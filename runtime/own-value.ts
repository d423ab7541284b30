/**
 * `table[key]` for a key that comes from outside (a client's parameter name or schema type, a file
 * extension, a provider's finish reason or exception name): the table's own entries only. A plain
 * lookup would answer `constructor` or `toString` with Object.prototype's functions.
 */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
