/** A manifest of `routes` routes (2 000: ≈ 0.6 MB, a few hundred milliseconds to parse). */
export function largeManifest(routes = 2000, weight = 60): string {
  let text = 'version: 1\nai_routes:\n';
  for (let index = 0; index < routes; index += 1) {
    text += `  - name: route-${index}\n    match: { model: "model-${index}" }\n    targets:\n      - { provider: openai, model: gpt-4o-mini-${index}, weight: ${weight}, max_latency_ms: 800 }\n      - { provider: anthropic, model: claude-haiku-${index}, weight: 40 }\n    fallback: ollama/llama-3.1\n`;
  }
  return text;
}

/** How many times the event loop turned while `work` ran (0 when it ran without yielding). */
export async function loopTurnsDuring<T>(work: () => Promise<T>): Promise<{ readonly turns: number; readonly result: T }> {
  let turns = 0;
  let counting = true;
  const turn = (): void => {
    if (!counting) return;
    turns += 1;
    setImmediate(turn);
  };
  setImmediate(turn);
  const result = await work();
  counting = false;
  return { turns, result };
}
