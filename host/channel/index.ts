// Channels between threads and processes: rings whose algorithms live in
// the core (assembly/channel/*), waiting through any WaitHost.
export { SpscRing } from './spsc-ring.js';
export { SpscProducer } from './spsc-producer.js';
export { SpscConsumer } from './spsc-consumer.js';
