/**
 * The live view's only hook: subscribes to the driver's events in a layout effect (and unsubscribes on
 * unmount), folds them into plain state, and publishes a snapshot at most every `intervalMs` — a
 * hundred thousand events must not mean a hundred thousand renders. No business logic: the reduction
 * is live-state.ts.
 */
import type { EventEmitter } from 'node:events';
import { useLayoutEffect, useRef, useState } from 'react';
import type { SimulationEvent } from '../simulate/driver.js';
import { createLiveState, reduceLiveState, snapshot, type LiveSnapshot } from './live-state.js';

/** The event name the command's emitter uses for every simulation event. */
export const SIMULATION_EVENT = 'simulation-event';

export type SimulationEvents = Pick<EventEmitter, 'on' | 'off'>;

export function useSimulationState(events: SimulationEvents, total: number, intervalMs = 100): LiveSnapshot {
  const state = useRef(createLiveState(total));
  const [view, setView] = useState<LiveSnapshot>(() => snapshot(state.current));
  useLayoutEffect(() => {
    const onEvent = (event: SimulationEvent): void => {
      reduceLiveState(state.current, event);
      if (event.type === 'run-end') setView(snapshot(state.current));
    };
    events.on(SIMULATION_EVENT, onEvent);
    const timer = setInterval(() => setView(snapshot(state.current)), intervalMs);
    return () => {
      events.off(SIMULATION_EVENT, onEvent);
      clearInterval(timer);
    };
  }, [events, intervalMs]);
  return view;
}
