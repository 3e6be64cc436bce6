// The controller's error replies are the kit's (src/service/http-errors.ts), shared with the reducer.
export * from '../service/http-errors.js'
