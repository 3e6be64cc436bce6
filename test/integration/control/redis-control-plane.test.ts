import { describeParametersLogsContract } from '../../unit/control/contract/parameters-logs-contract.js'
import { describePlaneKeysContract } from '../../unit/control/contract/plane-keys-contract.js'
import { describePlaneStreamsContract } from '../../unit/control/contract/plane-streams-contract.js'
import { describeRegistryContract } from '../../unit/control/contract/registry-contract.js'
import { redisHarness } from './redis-harness.js'

describePlaneKeysContract('redis', redisHarness)
describePlaneStreamsContract('redis', redisHarness)
describeRegistryContract('redis', redisHarness)
describeParametersLogsContract('redis', redisHarness)
