/**
 * Replay source classes for tests (`replay --source path:Export`), as a user would write them:
 * `getSourceGenerators()` returns generators of `{ eventNumber, streams }` messages.
 */
import { encodeStinsEnd, encodeStinsHeader, encodeStinsImage } from '../../src/internal.js'

/** Pixel `i` of frame `f` of the ramp: distinct in every frame and pixel. */
export function rampValue(frame: number, pixel: number): number {
  return frame * 100 + pixel
}

export const RAMP_FRAMES = 5
export const RAMP_SHAPE = [3, 4] as const

/** One STINS stream `cam`: header (event 0), images 1..5 (a ramp), series end (event 6). */
export class RampSource {
  getSourceGenerators(): (Iterable<unknown> | AsyncIterable<unknown>)[] {
    return [this.camera()]
  }

  *camera(): Generator<unknown> {
    yield {
      eventNumber: 0,
      streams: {
        cam: { typ: 'STINS', frames: encodeStinsHeader({ msgNumber: 0, filename: 'ramp.h5' }) },
      },
    }
    for (let f = 0; f < RAMP_FRAMES; f++) {
      const data = Uint16Array.from({ length: RAMP_SHAPE[0] * RAMP_SHAPE[1] }, (_, i) =>
        rampValue(f, i),
      )
      yield {
        eventNumber: f + 1,
        streams: {
          cam: {
            typ: 'STINS',
            frames: encodeStinsImage({
              msgNumber: f + 1,
              frame: f,
              shape: RAMP_SHAPE,
              data,
              compression: f % 2 === 0 ? 'bslz4' : 'none',
            }),
          },
        },
      }
    }
    yield {
      eventNumber: RAMP_FRAMES + 1,
      streams: { cam: { typ: 'STINS', frames: encodeStinsEnd({ msgNumber: RAMP_FRAMES + 1 }) } },
    }
  }
}

/** The ramp, plus an async generator of motor positions as text frames (events 1..5). */
export class RampAndMotorSource extends RampSource {
  override getSourceGenerators(): (Iterable<unknown> | AsyncIterable<unknown>)[] {
    return [this.camera(), this.motor()]
  }

  async *motor(): AsyncGenerator<unknown> {
    for (let f = 0; f < RAMP_FRAMES; f++) {
      yield {
        eventNumber: f + 1,
        streams: { motor: { typ: 'text', frames: [JSON.stringify({ x: f * 0.5 })] } },
      }
    }
  }
}

/** Yields a message that is not one (a negative event number). */
export class BadMessageSource {
  getSourceGenerators(): Iterable<unknown>[] {
    return [
      [
        { eventNumber: 0, streams: {} },
        { eventNumber: -1, streams: {} },
      ],
    ]
  }
}

/** Throws after two messages. */
export class ThrowingSource {
  getSourceGenerators(): Iterable<unknown>[] {
    return [this.gen()]
  }

  *gen(): Generator<unknown> {
    yield { eventNumber: 0, streams: { a: { typ: 'text', frames: ['x'] } } }
    yield { eventNumber: 1, streams: { a: { typ: 'text', frames: ['y'] } } }
    throw new Error('the source ran dry')
  }
}
