// Import the module named on the command line and print, as JSON, which of the live system's
// CommonJS libraries (HTTP, Redis, zmq, logging, metrics) that loaded. Run in its own process.
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

await import(pathToFileURL(process.argv[2]!).href)
const loaded = Object.keys(createRequire(import.meta.url).cache)
const heavy = /node_modules\/(ioredis|fastify|zeromq|pino|prom-client)\//
console.log(
  JSON.stringify(
    [...new Set(loaded.filter((k) => heavy.test(k)).map((k) => heavy.exec(k)![1]))].sort(),
  ),
)
