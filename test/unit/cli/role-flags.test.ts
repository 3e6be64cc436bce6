import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { AutoscalerEnvSpec, parseAutoscalerEnv } from '../../../autoscaler/index.js'
import {
  AUTOSCALER_FLAGS,
  type AutoscalerFlags,
  autoscalerCommand,
  autoscalerEnvFromFlags,
} from '../../../cli/commands/autoscaler.js'
import {
  CONTROLLER_FLAGS,
  type ControllerFlags,
  controllerCommand,
  controllerEnvFromFlags,
} from '../../../cli/commands/controller.js'
import {
  deviceIngesterCommand,
  INGESTER_FLAGS,
  type IngesterFlags,
  ingesterEnvFromFlags,
} from '../../../cli/commands/ingester.js'
import {
  REDUCER_FLAGS,
  type ReducerFlags,
  reducerCommand,
  reducerEnvFromFlags,
} from '../../../cli/commands/reducer.js'
import {
  WORKER_FLAGS,
  type WorkerFlags,
  workerCommand,
  workerEnvFromFlags,
} from '../../../cli/commands/worker.js'
import { DEVICES, IngesterEnvSpec, parseIngesterEnv } from '../../../ingesters/index.js'
import { parseReducerEnv, ReducerEnvSpec } from '../../../reducer/index.js'
import { ControllerEnvSpec, flagEnvNames, parseControllerEnv } from '../../../src/internal.js'
import { parseWorkerEnv, WorkerEnvSpec } from '../../../workers/index.js'

/** The flags `args` give `command`, parsed as the CLI parses them, without running it. */
function flagsOf<T extends object>(command: Command, args: readonly string[]): T {
  command
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .action(() => {})
  command.parse(args, { from: 'user' })
  return command.opts() as T
}

/** What looks like an env variable in a help text (`CONTROLLER_HOST`, `REDIS_URL`). */
const VARIABLE = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g

/**
 * Each flag with a target is an option of `command` whose help names exactly the variable the
 * role reads for it (derived from the role's env spec), and no other.
 */
function expectHelpNamesTheVariables(
  command: Command,
  spec: Parameters<typeof flagEnvNames>[0],
  targets: Readonly<Record<string, string>>,
): void {
  const names = flagEnvNames(spec, targets)
  const seen: string[] = []
  for (const option of command.options) {
    const name = names.get(option.attributeName())
    if (name === undefined) continue
    seen.push(option.attributeName())
    expect(option.description.match(VARIABLE), `help of ${option.flags}`).toEqual([name])
  }
  expect(seen.sort(), 'flags with a target that the command has').toEqual([...names.keys()].sort())
}

describe('help texts name the variable each flag overrides', () => {
  it('controller, worker, reducer, autoscaler', () => {
    expectHelpNamesTheVariables(controllerCommand(), ControllerEnvSpec, CONTROLLER_FLAGS)
    expectHelpNamesTheVariables(workerCommand(), WorkerEnvSpec, WORKER_FLAGS)
    expectHelpNamesTheVariables(reducerCommand(), ReducerEnvSpec, REDUCER_FLAGS)
    expectHelpNamesTheVariables(autoscalerCommand(), AutoscalerEnvSpec, AUTOSCALER_FLAGS)
  })

  it('every ingester <device>', () => {
    for (const device of DEVICES.values()) {
      expectHelpNamesTheVariables(deviceIngesterCommand(device), IngesterEnvSpec, INGESTER_FLAGS)
    }
  })
})

// Each role: the variables (by the names the docs, help texts and the Helm chart use) are read,
// and each flag overrides its own variable: with every variable set to one value and every flag
// to another, the config holds only the flags' values.

describe('beamloom controller', () => {
  const env = {
    CONTROLLER_HOST: 'env.example',
    CONTROLLER_PORT: '5001',
    CONTROLLER_TOKEN: 'env-token',
    CONTROLLER_NAME: 'env-controller',
    CONTROLLER_URL: 'http://env.example:5001',
    REDIS_URL: 'redis://env-redis:6379',
    REDIS_KEY_PREFIX: 'env',
    HEARTBEAT_MS: '501',
    CONTROLLER_LOOKAHEAD_EVENTS: '21',
    CONTROLLER_HORIZON_EVENTS: '22',
    CONTROLLER_SCAN_RETENTION_MS: '23',
    CONTROLLER_STALL_WARN_MS: '24',
    CONTROLLER_STALL_TIMEOUT_MS: '25',
    CONTROLLER_EVENT_ATTEMPTS: '26',
  }
  const read = (args: string[]) =>
    parseControllerEnv(
      controllerEnvFromFlags(flagsOf<ControllerFlags>(controllerCommand(), args), env),
    )

  it('reads the variables', () => {
    expect(read([])).toMatchObject({
      host: 'env.example',
      port: 5001,
      token: 'env-token',
      name: 'env-controller',
      url: 'http://env.example:5001',
      lookaheadEvents: 21,
      horizonEvents: 22,
      scanRetentionMs: 23,
      stallWarnMs: 24,
      stallTimeoutMs: 25,
      eventAttempts: 26,
      controlPlane: { redisUrl: 'redis://env-redis:6379', keyPrefix: 'env', heartbeatMs: 501 },
    })
  })

  it('each flag overrides its variable', () => {
    const args = [
      ['--host', 'flag.example'],
      ['--port', '5101'],
      ['--token', 'flag-token'],
      ['--name', 'flag-controller'],
      ['--url', 'http://flag.example:5101'],
      ['--redis', 'redis://flag-redis:6380'],
      ['--key-prefix', 'flag'],
      ['--heartbeat-ms', '601'],
      ['--lookahead-events', '31'],
      ['--horizon-events', '32'],
      ['--scan-retention-ms', '33'],
      ['--stall-warn-ms', '34'],
      ['--stall-timeout-ms', '35'],
      ['--event-attempts', '36'],
    ].flat()
    expect(read(args)).toMatchObject({
      host: 'flag.example',
      port: 5101,
      token: 'flag-token',
      name: 'flag-controller',
      url: 'http://flag.example:5101',
      lookaheadEvents: 31,
      horizonEvents: 32,
      scanRetentionMs: 33,
      stallWarnMs: 34,
      stallTimeoutMs: 35,
      eventAttempts: 36,
      controlPlane: { redisUrl: 'redis://flag-redis:6380', keyPrefix: 'flag', heartbeatMs: 601 },
    })
  })

  it('takes the deprecated -p for the port, --port winning', () => {
    expect(read(['-p', '5102']).port).toBe(5102)
    expect(read(['-p', '5102', '--port', '5103']).port).toBe(5103)
  })
})

describe('beamloom worker', () => {
  const env = {
    WORKER_MODULE: 'env.ts:Env',
    WORKER_NAME: 'env-worker',
    WORKER_TAGS: 'env1,env2',
    WORKER_WINDOW_EVENTS: '16',
    REDIS_URL: 'redis://env-redis:6379',
    WORKER_METRICS_PORT: '9001',
  }
  const read = (args: string[], base: Record<string, string> = env) =>
    parseWorkerEnv(workerEnvFromFlags(flagsOf<WorkerFlags>(workerCommand(), args), base))

  it('reads the variables', () => {
    const { worker, controlPlane } = read([])
    expect(worker).toMatchObject({
      workerModule: 'env.ts:Env',
      name: 'env-worker',
      tags: ['env1', 'env2'],
      windowEvents: 16,
      metricsPort: 9001,
    })
    expect(controlPlane.redisUrl).toBe('redis://env-redis:6379')
  })

  it('each flag overrides its variable', () => {
    const args = [
      ['--worker', 'flag.ts:Flag'],
      ['--name', 'flag-worker'],
      ['--tags', 'flag1,flag2'],
      ['--window', '32'],
      ['--redis', 'redis://flag-redis:6380'],
      ['--metrics-port', '9101'],
    ].flat()
    const { worker, controlPlane } = read(args)
    expect(worker).toMatchObject({
      workerModule: 'flag.ts:Flag',
      name: 'flag-worker',
      tags: ['flag1', 'flag2'],
      windowEvents: 32,
      metricsPort: 9101,
    })
    expect(controlPlane.redisUrl).toBe('redis://flag-redis:6380')
  })

  it("wins over Dranspose's names too", () => {
    const dranspose = { WORKER_CLASS: 'dranspose.ts:D', REDIS_DSN: 'redis://dranspose:6379' }
    expect(read([], dranspose).worker.workerModule).toBe('dranspose.ts:D')
    const flagged = read(['-w', 'flag.ts:Flag', '--redis', 'redis://flag-redis:6380'], dranspose)
    expect(flagged.worker.workerModule).toBe('flag.ts:Flag')
    expect(flagged.controlPlane.redisUrl).toBe('redis://flag-redis:6380')
  })
})

describe('beamloom reducer', () => {
  const env = {
    REDUCER_MODULE: 'env.ts:Env',
    REDUCER_NAME: 'env-reducer',
    REDUCER_PORT: '5011',
    REDUCER_HOST: 'env.example',
    REDUCER_BIND: 'tcp://127.0.0.1:6001',
    REDUCER_ADVERTISE_HOST: 'env-advertised',
    REDIS_URL: 'redis://env-redis:6379',
    REDIS_KEY_PREFIX: 'env',
    REDUCER_H5_DIR: '/env/h5',
    REDUCER_TOKEN: 'env-token',
  }
  const read = (args: string[]) =>
    parseReducerEnv(reducerEnvFromFlags(flagsOf<ReducerFlags>(reducerCommand(), args), env))

  it('reads the variables', () => {
    const { reducer, controlPlane } = read([])
    expect(reducer).toMatchObject({
      reducerModule: 'env.ts:Env',
      name: 'env-reducer',
      httpPort: 5011,
      httpHost: 'env.example',
      bind: 'tcp://127.0.0.1:6001',
      advertiseHost: 'env-advertised',
      h5Dir: '/env/h5',
      token: 'env-token',
    })
    expect(controlPlane).toMatchObject({ redisUrl: 'redis://env-redis:6379', keyPrefix: 'env' })
  })

  it('each flag overrides its variable', () => {
    const args = [
      ['--reducer', 'flag.ts:Flag'],
      ['--name', 'flag-reducer'],
      ['--port', '5111'],
      ['--host', 'flag.example'],
      ['--bind', 'tcp://127.0.0.1:6101'],
      ['--advertise-host', 'flag-advertised'],
      ['--redis', 'redis://flag-redis:6380'],
      ['--prefix', 'flag'],
      ['--h5-dir', '/flag/h5'],
      ['--token', 'flag-token'],
    ].flat()
    const { reducer, controlPlane } = read(args)
    expect(reducer).toMatchObject({
      reducerModule: 'flag.ts:Flag',
      name: 'flag-reducer',
      httpPort: 5111,
      httpHost: 'flag.example',
      bind: 'tcp://127.0.0.1:6101',
      advertiseHost: 'flag-advertised',
      h5Dir: '/flag/h5',
      token: 'flag-token',
    })
    expect(controlPlane).toMatchObject({ redisUrl: 'redis://flag-redis:6380', keyPrefix: 'flag' })
    expect(read(['-p', '5112']).reducer.httpPort).toBe(5112)
  })
})

describe('beamloom ingester <device>', () => {
  const env = {
    INGESTER_STREAMS: 'env1,env2',
    INGESTER_UPSTREAM_URL: 'tcp://env-device:9999',
    INGESTER_NAME: 'env-ingester',
    INGESTER_BIND: 'tcp://127.0.0.1:7001',
    INGESTER_ADVERTISE_HOST: 'env-advertised',
    REDIS_URL: 'redis://env-redis:6379',
    INGESTER_DUMP_DIR: '/env/dumps',
    INGESTER_METRICS_PORT: '9002',
  }
  const stins = DEVICES.get('stins')
  if (stins === undefined) throw new Error('no stins device')
  const read = (args: string[]) =>
    parseIngesterEnv(
      ingesterEnvFromFlags(flagsOf<IngesterFlags>(deviceIngesterCommand(stins), args), env),
    )

  it('reads the variables', () => {
    const { config, upstreamUrl, controlPlane } = read([])
    expect(config).toMatchObject({
      streams: ['env1', 'env2'],
      name: 'env-ingester',
      bind: 'tcp://127.0.0.1:7001',
      advertiseHost: 'env-advertised',
      dumpDir: '/env/dumps',
      metricsPort: 9002,
    })
    expect(upstreamUrl).toBe('tcp://env-device:9999')
    expect(controlPlane.redisUrl).toBe('redis://env-redis:6379')
  })

  it('each flag overrides its variable', () => {
    const args = [
      ['--stream', 'flag1,flag2'],
      ['--upstream', 'tcp://flag-device:9999'],
      ['--name', 'flag-ingester'],
      ['--bind', 'tcp://127.0.0.1:7101'],
      ['--advertise-host', 'flag-advertised'],
      ['--redis', 'redis://flag-redis:6380'],
      ['--dump-dir', '/flag/dumps'],
      ['--metrics-port', '9102'],
    ].flat()
    const { config, upstreamUrl, controlPlane } = read(args)
    expect(config).toMatchObject({
      streams: ['flag1', 'flag2'],
      name: 'flag-ingester',
      bind: 'tcp://127.0.0.1:7101',
      advertiseHost: 'flag-advertised',
      dumpDir: '/flag/dumps',
      metricsPort: 9102,
    })
    expect(upstreamUrl).toBe('tcp://flag-device:9999')
    expect(controlPlane.redisUrl).toBe('redis://flag-redis:6380')
  })
})

describe('beamloom autoscaler', () => {
  const env = {
    AUTOSCALER_CONTROLLER_URL: 'http://env-controller:5000',
    AUTOSCALER_DEPLOYMENT: 'env-workers',
    AUTOSCALER_NAMESPACE: 'env-ns',
    AUTOSCALER_MIN_REPLICAS: '2',
    AUTOSCALER_MAX_REPLICAS: '5',
    AUTOSCALER_PORT: '5021',
  }
  const read = (args: string[]) =>
    parseAutoscalerEnv(
      autoscalerEnvFromFlags(flagsOf<AutoscalerFlags>(autoscalerCommand(), args), env),
    )

  it('reads the variables', () => {
    expect(read([])).toMatchObject({
      controllerUrl: 'http://env-controller:5000',
      deployment: 'env-workers',
      namespace: 'env-ns',
      policy: { minReplicas: 2, maxReplicas: 5 },
      port: 5021,
    })
  })

  it('each flag overrides its variable', () => {
    const args = [
      ['--controller', 'http://flag-controller:5000'],
      ['--deployment', 'flag-workers'],
      ['--namespace', 'flag-ns'],
      ['--min', '3'],
      ['--max', '7'],
      ['--port', '5121'],
    ].flat()
    expect(read(args)).toMatchObject({
      controllerUrl: 'http://flag-controller:5000',
      deployment: 'flag-workers',
      namespace: 'flag-ns',
      policy: { minReplicas: 3, maxReplicas: 7 },
      port: 5121,
    })
    expect(read(['-p', '5122']).port).toBe(5122)
  })
})
