import { describeParametersLogsContract } from './contract/parameters-logs-contract.js'
import { describePlaneKeysContract } from './contract/plane-keys-contract.js'
import { describePlaneStreamsContract } from './contract/plane-streams-contract.js'
import { portHarness } from './contract/port-harness.js'
import { describeRegistryContract } from './contract/registry-contract.js'

// The control plane `beamloom up`'s worker threads hold: calls over a MessagePort to the main
// thread's in-memory plane. The same contract as the memory and Redis planes.
describePlaneKeysContract('port', portHarness)
describePlaneStreamsContract('port', portHarness)
describeRegistryContract('port', portHarness)
describeParametersLogsContract('port', portHarness)
