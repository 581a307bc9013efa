// Channels between threads and processes: rings whose algorithms live in
// the core (assembly/channel/*), waiting through any WaitHost.
export { SpscRing } from './spsc-ring.js';
export { SpscProducer } from './spsc-producer.js';
export { SpscConsumer } from './spsc-consumer.js';
export { MpmcQueue, type QueueShape, type PopOptions as QueuePopOptions } from './mpmc-queue.js';
export { MAX_BATCH as SPSC_MAX_BATCH } from './spsc-role.js';
export { Broadcast, type BroadcastMode, type BroadcastOptions } from './broadcast.js';
export { BroadcastWriter } from './broadcast-writer.js';
export { BroadcastReader, type BroadcastMessage, type ReadOptions as BroadcastReadOptions } from './broadcast-reader.js';
