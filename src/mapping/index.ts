/**
 * Trigger maps, sequences and assignment: which frame of which stream belongs to which event,
 * and which worker processes it. Pure: no I/O, no clock.
 */
export type { AssignablePlan } from './assignable-plan.js'
export { Assigner } from './assigner.js'
export type {
  AssignerOptions,
  AssignerStats,
  AssignmentBatch,
  CompletionResult,
  EventAssignment,
  EventCompletion,
  Grant,
  StreamRoute,
  WorkerRemoval,
} from './assigner-types.js'
export { type EventRange, EventRangeSet } from './event-range-set.js'
export { MappingInvalidError, type MappingIssue } from './mapping-error.js'
export type { Retry } from './membership.js'
export {
  OpenUniformPlan,
  type OpenUniformPlanOptions,
  openUniformPlan,
} from './open-uniform-plan.js'
export { parseAllWrap, parseSequence, parseTriggerMap } from './parse-mapping.js'
export {
  compileScanPlan,
  type EventLocation,
  ScanPlan,
  type ScanPlanOptions,
  START_END_PART,
} from './scan-plan.js'
export { MAIN_PART, PartName, Sequence, sequenceFromTriggerMap } from './sequence.js'
export { TriggerMap, TriggerMapEntry, triggerMapLength } from './trigger-map.js'
export { TurnAssigner } from './turn-assigner.js'
export { uniformSequence, uniformTriggerMap } from './uniform.js'
export { Constraint, GENERIC_TAG, VirtualWorker, WorkerTag } from './virtual-worker.js'
