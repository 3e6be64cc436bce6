// Import the module named on the command line and print, as JSON, the files of this checkout
// (outside node_modules) that loading it loaded, relative to the checkout, sorted. Run in its own
// process, under tsx (`--import tsx`).
import { register } from 'node:module'
import { relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { MessageChannel } from 'node:worker_threads'

const root = fileURLToPath(new URL('../..', import.meta.url))
const loaded = new Set<string>()
const { port1, port2 } = new MessageChannel()
let flushed: () => void = () => {}
port1.on('message', (message: string) => {
  if (message === 'flushed') flushed()
  else loaded.add(message)
})
// The hook's messages come in order on one port: its answer to 'flush' follows every load
// it reported before.
const hook = `let port
export function initialize(data) {
  port = data.port
  port.on('message', () => port.postMessage('flushed'))
}
export async function load(url, context, next) {
  port.postMessage(url)
  return next(url, context)
}`
register(`data:text/javascript,${encodeURIComponent(hook)}`, {
  data: { port: port2 },
  transferList: [port2],
})
await import(pathToFileURL(process.argv[2]!).href)
await new Promise<void>((resolve) => {
  flushed = resolve
  port1.postMessage('flush')
})
port1.close()
const files = [...loaded]
  .filter((u) => u.startsWith('file:') && !u.includes('/node_modules/'))
  .map((u) => relative(root, fileURLToPath(u.split('?')[0]!)))
console.log(JSON.stringify([...new Set(files)].sort()))
