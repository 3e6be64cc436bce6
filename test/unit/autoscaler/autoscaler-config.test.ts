import { describe, expect, it } from 'vitest'
import { AUTOSCALER_ENV_NAMES, parseAutoscalerEnv } from '../../../autoscaler/index.js'
import { isBeamloomError } from '../../../src/internal.js'

const required = {
  AUTOSCALER_CONTROLLER_URL: 'http://ctl:5000/',
  AUTOSCALER_DEPLOYMENT: 'bl-worker',
}

describe('parseAutoscalerEnv', () => {
  it('applies the documented defaults', () => {
    const c = parseAutoscalerEnv(required)
    expect(c.controllerUrl).toBe('http://ctl:5000')
    expect(c.deployment).toBe('bl-worker')
    expect(c.namespace).toBeUndefined()
    expect(c.policy).toEqual({
      minReplicas: 1,
      maxReplicas: 8,
      targetDrainSeconds: 30,
      minGain: 0.1,
      idleMs: 120_000,
      coolDownMs: 60_000,
      maxStepUp: 4,
      maxStepDown: 1,
    })
    expect([c.pollMs, c.rateWindowSeconds, c.requestTimeoutMs, c.port]).toEqual([
      2000, 10, 5000, 5020,
    ])
  })

  it('reads every variable it lists', () => {
    const env = {
      ...required,
      AUTOSCALER_NAMESPACE: 'ns',
      AUTOSCALER_MIN_REPLICAS: '0',
      AUTOSCALER_MAX_REPLICAS: '3',
      AUTOSCALER_TARGET_DRAIN_SECONDS: '12.5',
      AUTOSCALER_MIN_GAIN: '0',
      AUTOSCALER_IDLE_MS: '1',
      AUTOSCALER_COOLDOWN_MS: '2',
      AUTOSCALER_MAX_STEP_UP: '3',
      AUTOSCALER_MAX_STEP_DOWN: '2',
      AUTOSCALER_POLL_MS: '7',
      AUTOSCALER_RATE_WINDOW_S: '60',
      AUTOSCALER_REQUEST_TIMEOUT_MS: '9',
      AUTOSCALER_PORT: '0',
      AUTOSCALER_CONTROLLER_TOKEN: 'tok',
    }
    expect(new Set(Object.keys(env))).toEqual(new Set(AUTOSCALER_ENV_NAMES))
    const c = parseAutoscalerEnv(env)
    expect(c.namespace).toBe('ns')
    expect(c.controllerToken).toBe('tok')
    expect(c.policy).toEqual({
      minReplicas: 0,
      maxReplicas: 3,
      targetDrainSeconds: 12.5,
      minGain: 0,
      idleMs: 1,
      coolDownMs: 2,
      maxStepUp: 3,
      maxStepDown: 2,
    })
    expect([c.pollMs, c.rateWindowSeconds, c.requestTimeoutMs, c.port]).toEqual([7, 60, 9, 0])
  })

  it('rejects bad config with CONFIG_INVALID naming the variable', () => {
    const bad = (env: Record<string, string>, name: RegExp) => {
      let error: unknown
      try {
        parseAutoscalerEnv(env)
      } catch (err) {
        error = err
      }
      expect(isBeamloomError(error, 'CONFIG_INVALID')).toBe(true)
      expect(String(error)).toMatch(name)
    }
    bad({ AUTOSCALER_DEPLOYMENT: 'x' }, /AUTOSCALER_CONTROLLER_URL/)
    bad(
      { ...required, AUTOSCALER_MIN_REPLICAS: '5', AUTOSCALER_MAX_REPLICAS: '2' },
      /AUTOSCALER_MIN_REPLICAS/,
    )
    bad({ ...required, AUTOSCALER_RATE_WINDOW_S: '301' }, /AUTOSCALER_RATE_WINDOW_S/)
    bad({ ...required, AUTOSCALER_MAX_STEP_UP: '0' }, /AUTOSCALER_MAX_STEP_UP/)
  })
})
