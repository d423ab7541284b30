/**
 * How the engine tells a transport to stop: the part of AbortSignal a transport uses (`aborted`,
 * `reason`, an 'abort' listener). An AbortSignal is one, so tests and callers may pass their own;
 * undici accepts one as its request `signal`.
 * @see https://undici.nodejs.org/#/docs/api/Dispatcher?id=parameter-requestoptions (signal: AbortSignal | EventEmitter-like)
 */
export interface StopSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: AbortListener, options?: { readonly once?: boolean }): void;
  removeEventListener(type: 'abort', listener: AbortListener): void;
}

export type AbortListener = ((event: { readonly type: string }) => void) | { handleEvent(event: { readonly type: string }): void };

const ABORT_EVENT = { type: 'abort' } as const;

/**
 * A light abort signal and its own abort switch: what each attempt hands its transport (and what
 * timers use on a clock without schedule()). An AbortController and one listener on its signal cost
 * about 3 µs and GC per request (Node's EventTarget); replacing them was most of a 1.19× gain in the
 * gateway's requests/s (issue 8 A/B, with a smaller audit change). This costs a small object. A listener fires once (every abort listener is `once`), in
 * the order added, and one added twice is kept once, as on an EventTarget.
 */
export class LightAbortSignal implements StopSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: AbortListener[] | undefined;

  addEventListener(type: 'abort', listener: AbortListener): void {
    // After the abort nothing fires again (as on an aborted AbortSignal).
    if (type !== 'abort' || this.aborted) return;
    this.listeners ??= [];
    if (!this.listeners.includes(listener)) this.listeners.push(listener);
  }

  removeEventListener(type: 'abort', listener: AbortListener): void {
    const listeners = this.listeners;
    if (type !== 'abort' || listeners === undefined) return;
    const index = listeners.indexOf(listener);
    if (index >= 0) listeners.splice(index, 1);
  }

  /** Aborts once with `reason`; listeners run now, synchronously, as AbortController.abort runs them. */
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners === undefined) return;
    for (const listener of listeners) {
      try {
        if (typeof listener === 'function') listener(ABORT_EVENT);
        else listener.handleEvent(ABORT_EVENT);
      } catch (error) {
        // An EventTarget reports a throwing listener as uncaught and still runs the others.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
