import { ConfigError } from '../../src/internal.js'
import { DELIVER_EVERYTHING } from '../base/device-command.js'
import { bindOption, captureOption, rateOption } from '../base/device-options.js'
import { checkSimulatorOptions, type DeviceType, intOption } from '../base/device-type.js'
import { createContrastSimulator } from './contrast-simulator.js'
import { createContrastUpstreamFactory } from './contrast-upstream.js'

/** `4x5` → `[4, 5]`. @throws ConfigError for anything else. */
export function parseMesh(text: string): [number, number] {
  const dims = text.split(/[x,]/).map((d) => Number(d.trim()))
  const [slow, fast] = dims
  if (dims.length !== 2 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ConfigError(`mesh '${text}': expected <slow>x<fast> points such as 4x5`)
  }
  return [slow as number, fast as number]
}

/** The most square mesh of exactly `points` points, slow axis not longer: 20 → 4×5, 7 → 1×7. */
export function squareMesh(points: number): [number, number] {
  let slow = Math.max(1, Math.floor(Math.sqrt(points)))
  while (slow > 1 && points % slow !== 0) slow--
  return [slow, Math.max(1, Math.ceil(points / slow))]
}

/**
 * `sx,sy` (or `sx+sy`, `sx/sy`: `beamloom up --simulate` splits its options at commas) →
 * `['sx', 'sy']`. @throws ConfigError for anything else.
 */
export function parseMotors(text: string): [string, string] {
  const names = text.split(/[,+/]/).map((m) => m.trim())
  if (names.length !== 2 || names.some((m) => !/^[A-Za-z_][\w.]*$/.test(m))) {
    throw new ConfigError(`motors '${text}': expected two motor names such as sx,sy`)
  }
  return [names[0] as string, names[1] as string]
}

/** The contrast device type for the registry (`ingesters/devices.ts`). */
export const contrastDevice: DeviceType = {
  name: 'contrast',
  summary: 'Contrast scan control (MAX IV NanoMAX), zmq PUB of pickled dicts',
  binds: 'device',
  simulatorOptions: {
    mesh: 'points along the slow and the fast motor, e.g. 4x5 (default: the squarest mesh of `frames` points)',
    motors: 'the two motors, slow then fast, e.g. sx+sy (default)',
    heartbeat: 'a heartbeat after every this many points, 0 for none (default 10)',
    scannr: 'scan number announced (default 1)',
  },
  simulatorFrames(options) {
    if (options.mesh === undefined) return undefined
    const [slow, fast] = parseMesh(options.mesh)
    return slow * fast
  },
  upstream: (url) => createContrastUpstreamFactory({ url }),
  simulator(spec) {
    checkSimulatorOptions(contrastDevice, spec)
    const meshText = spec.options.mesh
    const mesh = meshText === undefined ? squareMesh(spec.frames) : parseMesh(meshText)
    const motors = spec.options.motors
    return createContrastSimulator({
      bind: spec.bind,
      frames: spec.frames,
      mesh,
      heartbeatEvery: intOption(spec, 'heartbeat', 10, 0),
      scannr: intOption(spec, 'scannr', 1, 0),
      rateHz: spec.rateHz,
      ...(motors === undefined ? {} : { motors: parseMotors(motors) }),
      ...(spec.capture === undefined ? {} : { capture: spec.capture }),
    })
  },
  ingest: {
    description:
      'ingest Contrast (MAX IV scan control): SUBscribe to its PUB of pickled dicts; started, each running point and finished/interrupted become events, heartbeats are skipped',
    upstreamHelp: "Contrast's PUB endpoint, e.g. tcp://contrast:5556",
  },
  simulate: {
    description:
      'act as Contrast: bind a PUB, wait for a subscriber, publish pickled dicts — a heartbeat, started (a mesh over two motors), one running point per mesh position with heartbeats between, finished — or replay a raw capture',
    options: [
      bindOption('PUB address', 'tcp://127.0.0.1:5556'),
      {
        flags: '--mesh <slow>x<fast>',
        description: 'points along the slow and the fast motor',
        parse: parseMesh,
        default: [4, 5],
        defaultDescription: '4x5',
      },
      {
        flags: '--frames <n>',
        description: 'points to send (fewer than the mesh: the scan is interrupted)',
        parse: 'nonNegativeInt',
      },
      {
        flags: '--motors <slow,fast>',
        description: 'the two motors',
        parse: parseMotors,
        default: ['sx', 'sy'],
        defaultDescription: 'sx,sy',
      },
      {
        flags: '--heartbeat <n>',
        description: 'a heartbeat after every n points, 0 for none',
        parse: 'nonNegativeInt',
        default: 10,
      },
      rateOption('messages', 10),
      captureOption(),
    ],
    create(values) {
      const capture = values.string('capture')
      const frames = values.number('frames')
      return {
        what: 'Contrast',
        simulator: createContrastSimulator({
          lingerMs: DELIVER_EVERYTHING,
          bind: values.requireString('bind'),
          mesh: values.numberPair('mesh') ?? [4, 5],
          motors: values.stringPair('motors') ?? ['sx', 'sy'],
          heartbeatEvery: values.requireNumber('heartbeat'),
          rateHz: values.requireNumber('rate'),
          ...(frames === undefined ? {} : { frames }),
          ...(capture === undefined ? {} : { capture }),
        }),
      }
    },
  },
}
