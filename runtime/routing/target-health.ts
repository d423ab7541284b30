/**
 * Circuit breakers per target (design §3.7), on the injected Clock. A target (provider entry id +
 * model) that failed `threshold` times in a row opens for `openMs`; after that it is half-open and lets
 * exactly one probe through: success closes it, failure opens it again for twice as long (up to
 * `maxOpenMs`). State is keyed by provider id and model, so one TargetHealth shared by every request
 * survives manifest reloads; `serve` and `simulate` run this same code.
 */
import type { Clock } from '../clock.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface HealthOptions {
  /** Consecutive failures that open the circuit (default 3). */
  readonly threshold?: number;
  /** First open period (default 10 000 ms). */
  readonly openMs?: number;
  /** Longest open period after repeated failed probes (default 120 000 ms). */
  readonly maxOpenMs?: number;
  readonly onTransition?: (event: CircuitEvent) => void;
}

export type CircuitEvent =
  | { readonly type: 'circuit-open'; readonly provider: string; readonly model: string; readonly at: number; readonly openMs: number }
  | { readonly type: 'circuit-half-open'; readonly provider: string; readonly model: string; readonly at: number }
  | { readonly type: 'circuit-close'; readonly provider: string; readonly model: string; readonly at: number };

/** The right to call a target, and the duty to report how it went. */
export interface HealthPermit {
  /** This call is the half-open probe, or goes to an open target because it is the last candidate. */
  readonly probe: boolean;
  success(): void;
  failure(): void;
  /** The attempt proved nothing about the target (client abort, route timeout): frees a probe slot. */
  release(): void;
}

export interface TargetHealth {
  state(provider: string, model: string): CircuitState;
  /**
   * A permit when the circuit lets a call through (closed, or half-open with no probe in flight: this
   * call becomes the probe); undefined while open. `force` grants one anyway (the last candidate).
   */
  acquire(provider: string, model: string, force?: boolean): HealthPermit | undefined;
}

interface Circuit {
  failures: number;
  state: CircuitState;
  openedAt: number;
  openUntil: number;
  openMs: number;
  probing: boolean;
}

export const HEALTH_DEFAULTS = { threshold: 3, openMs: 10_000, maxOpenMs: 120_000 } as const;

export function createTargetHealth(clock: Clock, options: HealthOptions = {}): TargetHealth {
  return new CircuitBreakers(clock, options);
}

/** Classes, not objects of closures: a permit is made for every attempt (issue 8). */
class CircuitBreakers implements TargetHealth {
  readonly threshold: number;
  readonly baseOpenMs: number;
  readonly maxOpenMs: number;
  readonly emit: (event: CircuitEvent) => void;
  private readonly circuits = new Map<string, Circuit>();

  constructor(readonly clock: Clock, options: HealthOptions) {
    this.threshold = options.threshold ?? HEALTH_DEFAULTS.threshold;
    this.baseOpenMs = options.openMs ?? HEALTH_DEFAULTS.openMs;
    this.maxOpenMs = options.maxOpenMs ?? HEALTH_DEFAULTS.maxOpenMs;
    this.emit = options.onTransition ?? (() => undefined);
  }

  state(provider: string, model: string): CircuitState {
    return this.circuitFor(provider, model).state;
  }

  acquire(provider: string, model: string, force = false): HealthPermit | undefined {
    const circuit = this.circuitFor(provider, model);
    if (circuit.state === 'closed') return new CircuitPermit(this, circuit, provider, model, false);
    if (circuit.state === 'half-open' && !circuit.probing) {
      circuit.probing = true;
      return new CircuitPermit(this, circuit, provider, model, true);
    }
    return force ? new CircuitPermit(this, circuit, provider, model, true) : undefined;
  }

  open(circuit: Circuit, provider: string, model: string, openMs: number): void {
    const now = this.clock.monotonic();
    circuit.state = 'open';
    circuit.openMs = openMs;
    circuit.openedAt = now;
    circuit.openUntil = now + openMs;
    circuit.probing = false;
    this.emit({ type: 'circuit-open', provider, model, at: now, openMs });
  }

  private circuitFor(provider: string, model: string): Circuit {
    // Provider ids never contain '/', so the key is unambiguous even when the model does.
    const key = `${provider}/${model}`;
    let circuit = this.circuits.get(key);
    if (circuit === undefined) {
      circuit = { failures: 0, state: 'closed', openedAt: 0, openUntil: 0, openMs: this.baseOpenMs, probing: false };
      this.circuits.set(key, circuit);
    }
    if (circuit.state === 'open' && this.clock.monotonic() >= circuit.openUntil) {
      circuit.state = 'half-open';
      circuit.probing = false;
      this.emit({ type: 'circuit-half-open', provider, model, at: circuit.openUntil });
    }
    return circuit;
  }
}

class CircuitPermit implements HealthPermit {
  private settled = false;

  constructor(
    private readonly breakers: CircuitBreakers, private readonly circuit: Circuit,
    private readonly provider: string, private readonly model: string, readonly probe: boolean,
  ) {}

  success(): void {
    if (this.settled) return;
    this.settled = true;
    const { circuit, breakers } = this;
    const wasClosed = circuit.state === 'closed';
    circuit.failures = 0;
    circuit.probing = false;
    circuit.openMs = breakers.baseOpenMs;
    if (!wasClosed) {
      circuit.state = 'closed';
      breakers.emit({ type: 'circuit-close', provider: this.provider, model: this.model, at: breakers.clock.monotonic() });
    }
  }

  failure(): void {
    if (this.settled) return;
    this.settled = true;
    const { circuit, breakers } = this;
    circuit.failures += 1;
    if (circuit.state === 'half-open' && this.probe) {
      breakers.open(circuit, this.provider, this.model, Math.min(circuit.openMs * 2, breakers.maxOpenMs));
    } else if (circuit.state === 'closed' && circuit.failures >= breakers.threshold) {
      breakers.open(circuit, this.provider, this.model, breakers.baseOpenMs);
    }
    // Open already (a forced last-candidate call failed): the current open period stands.
  }

  release(): void {
    if (this.settled) return;
    this.settled = true;
    if (this.probe && this.circuit.state === 'half-open') this.circuit.probing = false;
  }
}
