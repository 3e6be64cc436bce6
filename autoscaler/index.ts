/** The autoscaler role: scales a worker Deployment from the controller's load. */
export {
  AUTOSCALER_ENV_NAMES,
  type AutoscalerConfig,
  AutoscalerEnvSpec,
  parseAutoscalerEnv,
} from './autoscaler-config.js'
export {
  type AutoscalerDeps,
  type AutoscalerLogger,
  type AutoscalerOptions,
  AutoscalerService,
  createAutoscaler,
} from './autoscaler-service.js'
export {
  decideReplicas,
  INITIAL_SCALER_MEMORY,
  type LoadObservation,
  type ScaleDecision,
  type ScalePolicy,
  type ScaleReason,
  type ScalerMemory,
} from './decide-replicas.js'
export { DeploymentScale, resolveNamespace, type ScaleReading } from './deployment-scale.js'
export { type ControllerLoad, readControllerLoad } from './read-controller-load.js'
