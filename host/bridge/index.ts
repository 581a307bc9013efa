// shmkit/bridge: a channel forwarded to a NATS subject, or a subject into a
// channel, so a pipeline can grow past one machine without changing its code.
export { Bridge, openBridge, type BridgeOptions, type BridgeStats, type JetStreamOptions } from './bridge.js';
export type { BatchLimits } from './outbound.js';
export type { NatsOptions } from './connection.js';
