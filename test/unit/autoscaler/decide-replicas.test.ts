import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decideReplicas,
  INITIAL_SCALER_MEMORY,
  type LoadObservation,
  type ScalePolicy,
  type ScalerMemory,
} from '../../../autoscaler/index.js'

const policy: ScalePolicy = {
  minReplicas: 2,
  maxReplicas: 10,
  targetDrainSeconds: 30,
  minGain: 0.1,
  idleMs: 60_000,
  coolDownMs: 20_000,
  maxStepUp: 4,
  maxStepDown: 1,
}

function busy(atMs: number, backlogEvents: number, rate: number, scanId = 's1'): LoadObservation {
  return { atMs, scanId, running: true, backlogEvents, rateEventsPerSecond: rate }
}
function idle(atMs: number, scanId: string | null = 's1'): LoadObservation {
  return { atMs, scanId, running: false, backlogEvents: 0, rateEventsPerSecond: 0 }
}

describe('decideReplicas', () => {
  it('scales up in proportion to the drain time, limited by the step', () => {
    // 600 events at 10/s = 60 s, twice the 30 s target: 3 replicas become 6 (step 4 allows it).
    const d = decideReplicas(policy, 3, busy(1_000, 600, 10), INITIAL_SCALER_MEMORY)
    expect(d).toMatchObject({ replicas: 6, reason: 'backlog' })
    expect(d.memory.lastChangeMs).toBe(1_000)
    expect(d.memory.lastUp).toEqual({ scanId: 's1', rate: 10 })
    // 100× the target: 3 + 4 = 7 at most.
    expect(decideReplicas(policy, 3, busy(1_000, 30_000, 10), INITIAL_SCALER_MEMORY).replicas).toBe(
      7,
    )
  })

  it('never goes above the maximum', () => {
    const d = decideReplicas(policy, 8, busy(1_000, 1e6, 10), INITIAL_SCALER_MEMORY)
    expect(d.replicas).toBe(10)
    expect(decideReplicas(policy, 10, busy(1_000, 1e6, 10), INITIAL_SCALER_MEMORY)).toMatchObject({
      replicas: 10,
      reason: 'steady',
    })
  })

  it('holds while the backlog drains within the target', () => {
    // 200 events at 10/s = 20 s < 30 s.
    expect(decideReplicas(policy, 3, busy(0, 200, 10), INITIAL_SCALER_MEMORY)).toMatchObject({
      replicas: 3,
      reason: 'steady',
    })
  })

  it('does not scale up while nothing completes (the detector, not the workers, is waited for)', () => {
    expect(decideReplicas(policy, 3, busy(0, 1e6, 0), INITIAL_SCALER_MEMORY)).toMatchObject({
      replicas: 3,
      reason: 'steady',
    })
  })

  it('holds during the cool-down, then acts', () => {
    const first = decideReplicas(policy, 3, busy(0, 600, 10), INITIAL_SCALER_MEMORY)
    expect(first.replicas).toBe(6)
    const during = decideReplicas(policy, 6, busy(19_999, 6_000, 20), first.memory)
    expect(during).toMatchObject({ replicas: 6, reason: 'cool-down' })
    const after = decideReplicas(policy, 6, busy(20_000, 6_000, 20), during.memory)
    expect(after.reason).toBe('backlog')
    expect(after.replicas).toBe(10)
  })

  it('stops scaling up in a scan when the last scale-up did not raise the rate', () => {
    const first = decideReplicas(policy, 3, busy(0, 6_000, 10), INITIAL_SCALER_MEMORY)
    expect(first.replicas).toBe(7)
    // Rate 10.5 < 10 × 1.1: more workers did not help.
    const again = decideReplicas(policy, 7, busy(30_000, 6_000, 10.5), first.memory)
    expect(again).toMatchObject({ replicas: 7, reason: 'no-gain' })
    // A new scan starts afresh.
    const next = decideReplicas(policy, 7, busy(31_000, 6_000, 10.5, 's2'), again.memory)
    expect(next).toMatchObject({ reason: 'backlog', replicas: 10 })
  })

  it('scales down one step at a time once idle for idleMs, not below the minimum', () => {
    let memory: ScalerMemory = INITIAL_SCALER_MEMORY
    let replicas = 5
    const seen: number[] = []
    for (let t = 0; t <= 200_000; t += 1_000) {
      const d = decideReplicas(policy, replicas, idle(t), memory)
      memory = d.memory
      if (d.replicas !== replicas) seen.push(t)
      replicas = d.replicas
    }
    expect(replicas).toBe(2)
    // Idle since 0: first step at 60 s, then one per cool-down (20 s).
    expect(seen).toEqual([60_000, 80_000, 100_000])
  })

  it('a scan with work resets the idle clock', () => {
    let d = decideReplicas(policy, 5, idle(0), INITIAL_SCALER_MEMORY)
    d = decideReplicas(policy, 5, busy(50_000, 100, 10), d.memory)
    expect(d.memory.idleSinceMs).toBeUndefined()
    d = decideReplicas(policy, 5, idle(60_000), d.memory)
    expect(d).toMatchObject({ replicas: 5, reason: 'steady' })
    expect(decideReplicas(policy, 5, idle(120_000), d.memory)).toMatchObject({
      replicas: 4,
      reason: 'idle',
    })
  })

  it('brings an out-of-bounds count back at once, even in the cool-down', () => {
    const memory: ScalerMemory = { ...INITIAL_SCALER_MEMORY, lastChangeMs: 0 }
    expect(decideReplicas(policy, 0, idle(1), memory)).toMatchObject({
      replicas: 2,
      reason: 'below-minimum',
    })
    expect(decideReplicas(policy, 15, busy(1, 1e6, 100), memory)).toMatchObject({
      replicas: 10,
      reason: 'above-maximum',
    })
  })

  it('starts one worker for a running scan when the minimum is zero and none runs', () => {
    const zero = { ...policy, minReplicas: 0 }
    expect(decideReplicas(zero, 0, busy(0, 10, 0), INITIAL_SCALER_MEMORY).replicas).toBe(1)
    expect(decideReplicas(zero, 0, idle(0), INITIAL_SCALER_MEMORY).replicas).toBe(0)
  })

  it('always stays within bounds and steps (property)', () => {
    const observation = fc.record({
      atMs: fc.integer({ min: 0, max: 1e7 }),
      scanId: fc.constantFrom('a', 'b', null),
      running: fc.boolean(),
      backlogEvents: fc.integer({ min: 0, max: 1e7 }),
      rateEventsPerSecond: fc.double({ min: 0, max: 1e5, noNaN: true }),
    })
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 30 }),
        fc.array(observation, { minLength: 1, maxLength: 30 }),
        (min, extra, start, observations) => {
          const p = { ...policy, minReplicas: min, maxReplicas: Math.max(1, min + extra) }
          let memory: ScalerMemory = INITIAL_SCALER_MEMORY
          let replicas = start
          let inBounds = start >= p.minReplicas && start <= p.maxReplicas
          for (const o of observations.sort((x, y) => x.atMs - y.atMs)) {
            const d = decideReplicas(p, replicas, o, memory)
            if (inBounds) {
              expect(d.replicas).toBeGreaterThanOrEqual(p.minReplicas)
              expect(d.replicas).toBeLessThanOrEqual(p.maxReplicas)
              expect(d.replicas - replicas).toBeLessThanOrEqual(p.maxStepUp)
              expect(replicas - d.replicas).toBeLessThanOrEqual(p.maxStepDown)
            }
            if (d.replicas !== replicas && inBounds && memory.lastChangeMs !== undefined) {
              expect(o.atMs - memory.lastChangeMs).toBeGreaterThanOrEqual(p.coolDownMs)
            }
            inBounds = d.replicas >= p.minReplicas && d.replicas <= p.maxReplicas
            memory = d.memory
            replicas = d.replicas
          }
        },
      ),
    )
  })
})
