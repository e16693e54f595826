import type { ShardingConfig } from "effect/cluster"

/**
 * Shard moves tuned for a runner's death to cost seconds, not half a minute (STACK.md: the
 * defaults took 17-37 s, these 2.8-6 s): a dead runner's shard locks expire after 4 s, the living
 * refresh theirs every 2 s, check runners' health every second and look for new assignments
 * twice a second.
 */
export const shardMoveTuning: Partial<ShardingConfig.ShardingConfig["Service"]> = {
  shardLockExpiration: "4 seconds",
  shardLockRefreshInterval: "2 seconds",
  runnerHealthCheckInterval: "1 second",
  refreshAssignmentsInterval: "500 millis",
  entityMessagePollInterval: "1 second"
}
