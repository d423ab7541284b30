/**
 * Circuit breakers per target (design §3.7), on the injected Clock. A target (provider entry id +
 * model) that failed `threshold` times in a row opens for `openMs`; after that it is half-open and lets
 * exactly one probe through: success closes it, failure opens it again for twice as long (up to
 * `maxOpenMs`). State is keyed by provider id and model, so one TargetHealth shared by every request
 * survives manifest reloads; `serve` and `simulate` run this same code. Circuits that say nothing (closed,
 * no failures, no call in flight: what a new one would be) are swept when the map doubles, so targets
 * that reloads added and removed do not pile up, and a busy target keeps its circuit between calls.
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
  /** Permits not yet settled: their outcome still counts, so the circuit stays while any is out. */
  permits: number;
  /** Dropped by a reload (forget): permits still out settle without changing it or telling anyone. */
  dropped: boolean;
}

export const HEALTH_DEFAULTS = { threshold: 3, openMs: 10_000, maxOpenMs: 120_000 } as const;

/** Circuits kept before the first sweep: more targets than a manifest usually has. */
const MIN_SWEEP_AT = 256;

export interface TargetHealthState extends TargetHealth {
  /** Circuits held in memory (at most twice those with failures, an open circuit or a call in flight, or 256). */
  size(): number;
  /**
   * Drops the circuits `stale` selects (a reload: routing/stale-circuits.ts); their targets start
   * closed. A permit still out settles on the dropped circuit and changes nothing (no event either).
   */
  forget(stale: (provider: string, model: string) => boolean): void;
}

export function createTargetHealth(clock: Clock, options: HealthOptions = {}): TargetHealthState {
  return new CircuitBreakers(clock, options);
}

/** Classes, not objects of closures: a permit is made for every attempt (issue 8). */
class CircuitBreakers implements TargetHealthState {
  readonly threshold: number;
  readonly baseOpenMs: number;
  readonly maxOpenMs: number;
  readonly emit: (event: CircuitEvent) => void;
  private readonly circuits = new Map<string, Circuit>();
  /** Creating a circuit past this many sweeps first (amortised O(1) per new target). */
  private sweepAt = MIN_SWEEP_AT;

  constructor(readonly clock: Clock, options: HealthOptions) {
    this.threshold = options.threshold ?? HEALTH_DEFAULTS.threshold;
    this.baseOpenMs = options.openMs ?? HEALTH_DEFAULTS.openMs;
    this.maxOpenMs = options.maxOpenMs ?? HEALTH_DEFAULTS.maxOpenMs;
    this.emit = options.onTransition ?? (() => undefined);
  }

  state(provider: string, model: string): CircuitState {
    // Asking creates nothing: a target never called is closed.
    return this.find(provider, model)?.state ?? 'closed';
  }

  size(): number {
    return this.circuits.size;
  }

  forget(stale: (provider: string, model: string) => boolean): void {
    for (const key of [...this.circuits.keys()]) {
      // Provider ids never contain '/': the first one ends the id.
      const slash = key.indexOf('/');
      const provider = key.slice(0, slash);
      const model = key.slice(slash + 1);
      if (!stale(provider, model)) continue;
      const circuit = this.circuits.get(key) as Circuit;
      circuit.dropped = true;
      this.circuits.delete(key);
      if (circuit.state !== 'closed') this.emit({ type: 'circuit-close', provider, model, at: this.clock.monotonic() });
    }
  }

  acquire(provider: string, model: string, force = false): HealthPermit | undefined {
    const circuit = this.find(provider, model) ?? this.create(provider, model);
    if (circuit.state === 'closed') return this.permit(circuit, provider, model, false);
    if (circuit.state === 'half-open' && !circuit.probing) {
      circuit.probing = true;
      return this.permit(circuit, provider, model, true);
    }
    return force ? this.permit(circuit, provider, model, true) : undefined;
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

  private permit(circuit: Circuit, provider: string, model: string, probe: boolean): CircuitPermit {
    circuit.permits += 1;
    return new CircuitPermit(this, circuit, provider, model, probe);
  }

  private create(provider: string, model: string): Circuit {
    if (this.circuits.size >= this.sweepAt) this.sweep();
    const circuit: Circuit = { failures: 0, state: 'closed', openedAt: 0, openUntil: 0, openMs: this.baseOpenMs, probing: false, permits: 0, dropped: false };
    this.circuits.set(circuitKey(provider, model), circuit);
    return circuit;
  }

  /** Drops the circuits a new one would equal; a permit still out keeps its circuit, since its outcome counts. */
  private sweep(): void {
    for (const [key, circuit] of this.circuits) {
      if (circuit.permits === 0 && circuit.state === 'closed' && circuit.failures === 0) this.circuits.delete(key);
    }
    this.sweepAt = Math.max(MIN_SWEEP_AT, 2 * this.circuits.size);
  }

  /** The target's circuit, moved to half-open once its open period is over; undefined when none is kept. */
  private find(provider: string, model: string): Circuit | undefined {
    const circuit = this.circuits.get(circuitKey(provider, model));
    if (circuit === undefined) return undefined;
    if (circuit.state === 'open' && this.clock.monotonic() >= circuit.openUntil) {
      circuit.state = 'half-open';
      circuit.probing = false;
      this.emit({ type: 'circuit-half-open', provider, model, at: circuit.openUntil });
    }
    return circuit;
  }
}

/** Provider ids never contain '/', so the key is unambiguous even when the model does. */
function circuitKey(provider: string, model: string): string {
  return `${provider}/${model}`;
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
    if (circuit.dropped) return;
    const wasClosed = circuit.state === 'closed';
    circuit.failures = 0;
    circuit.probing = false;
    circuit.openMs = breakers.baseOpenMs;
    if (!wasClosed) {
      circuit.state = 'closed';
      breakers.emit({ type: 'circuit-close', provider: this.provider, model: this.model, at: breakers.clock.monotonic() });
    }
    circuit.permits -= 1;
  }

  failure(): void {
    if (this.settled) return;
    this.settled = true;
    const { circuit, breakers } = this;
    // A reload dropped the circuit (its target re-pointed or removed): this old call's failure says nothing of the new one.
    if (circuit.dropped) return;
    circuit.failures += 1;
    if (circuit.state === 'half-open' && this.probe) {
      breakers.open(circuit, this.provider, this.model, Math.min(circuit.openMs * 2, breakers.maxOpenMs));
    } else if (circuit.state === 'closed' && circuit.failures >= breakers.threshold) {
      breakers.open(circuit, this.provider, this.model, breakers.baseOpenMs);
    }
    // Open already (a forced last-candidate call failed): the current open period stands.
    circuit.permits -= 1;
  }

  release(): void {
    if (this.settled) return;
    this.settled = true;
    if (this.probe && this.circuit.state === 'half-open') this.circuit.probing = false;
    this.circuit.permits -= 1;
  }
}
