/**
 * A readonly result type opened for building: hot paths set optional members one by one instead of
 * spreading conditional objects into a literal (a spread mid-literal costs ≈ 130 ns, issue 8).
 */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
