import { memoryHarness } from './contract/memory-harness.js'
import { describeParametersLogsContract } from './contract/parameters-logs-contract.js'
import { describePlaneKeysContract } from './contract/plane-keys-contract.js'
import { describePlaneStreamsContract } from './contract/plane-streams-contract.js'
import { describeRegistryContract } from './contract/registry-contract.js'

describePlaneKeysContract('memory', memoryHarness)
describePlaneStreamsContract('memory', memoryHarness)
describeRegistryContract('memory', memoryHarness)
describeParametersLogsContract('memory', memoryHarness)
