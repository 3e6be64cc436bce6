import type { DeviceOption } from './device-command.js'

/**
 * The simulator options several devices share, declared once so that their flags, defaults and
 * help read the same on every `beamloom simulate <device>`.
 */

/** `--bind <address>` of a simulator that binds (`PUSH address`, `PUB address`, …). */
export function bindOption(description: string, address: string): DeviceOption {
  return { flags: '--bind <address>', description, default: address }
}

/** `--frames <n>` (a whole number ≥ 0) of a simulated series. */
export function framesOption(description: string, frames: number): DeviceOption {
  return { flags: '--frames <n>', description, parse: 'nonNegativeInt', default: frames }
}

/** `--rate <hz>`: `what` (`messages`, `zmq messages`) per second. */
export function rateOption(what: string, rateHz = 100): DeviceOption {
  return {
    flags: '--rate <hz>',
    description: `${what} per second, 0 = as fast as possible`,
    parse: 'rate',
    default: rateHz,
  }
}

/** `--channels <n>` (a whole number ≥ 1). */
export function channelsOption(channels: number): DeviceOption {
  return {
    flags: '--channels <n>',
    description: 'channels',
    parse: 'positiveInt',
    default: channels,
  }
}

/** `--shape <rows,cols>` of simulated images, default 64,64. */
export function shapeOption(): DeviceOption {
  return {
    flags: '--shape <rows,cols>',
    description: 'image shape',
    parse: 'shape',
    default: [64, 64],
    defaultDescription: '64,64',
  }
}

/** `--dtype <type>` of a simulated Eiger's pixels: uint8, uint16 or uint32 (default). */
export function eigerDtypeOption(): DeviceOption {
  return {
    flags: '--dtype <type>',
    description: 'pixel type',
    choices: ['uint8', 'uint16', 'uint32'],
    default: 'uint32',
  }
}

/** `--capture <file>`: replay a raw capture instead of generating. */
export function captureOption(
  description = 'replay this raw capture (one zmq message per item) instead',
): DeviceOption {
  return { flags: '--capture <file>', description }
}

/** The pixel type an Eiger simulator was asked for. */
export function eigerDtype(text: string | undefined): 'uint8' | 'uint16' | 'uint32' {
  return text === 'uint8' || text === 'uint16' ? text : 'uint32'
}
