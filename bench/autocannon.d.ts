/** autocannon ships no types; load.ts narrows its result to the fields the harness reads. */
declare module 'autocannon' {
  const autocannon: (options: Record<string, unknown>) => Promise<unknown>;
  export default autocannon;
}
