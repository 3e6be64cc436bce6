/**
 * The engine's HTTP parts for the roles that serve HTTP (controller, reducer, the Sardana
 * ingester) and for `beamloom up`: the controller and its app, the error handler and the bearer
 * guard. Kept out of `internal.ts` so that a process without HTTP (a worker, a zmq ingester) does
 * not load fastify and the controller: every module loaded stays on the heap, and a larger heap
 * makes each of V8's full collections cost more (BENCHMARKS.md, "Heap size").
 */
export { bearerGuard } from './controller/bearer-auth.js'
export { Controller } from './controller/controller.js'
export { buildControllerApp, type ControllerAppOptions } from './controller/controller-app.js'
export type { ControllerDeps } from './controller/controller-types.js'
export { createController } from './controller/create-controller.js'
export { errorBody, type HttpErrorBody, installErrorHandler } from './service/http-errors.js'
