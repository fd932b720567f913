// Public surface of poller/: the worker (data plane), for cli/, bench/ and the library index.
export { createPoller, Poller } from './poller.js';
export type { PollerOptions, PollerStatus, PollerLifecycle } from './poller.js';
export { DeadLetterNow, HandlerUnavailable } from './message.js';
export type { RingMessage, Handler } from './message.js';
export { plainMessage } from './fetched-message.js';
export { createHttpHandler } from './handlers/http-handler.js';
export { loadModuleHandler } from './handlers/module-handler.js';
export { createCountingHandler } from './handlers/counting-handler.js';
export { RECORD_ENV, parseHandledRecord, readHandledRecords } from './handlers/handled-record.js';
export type { HandledRecord } from './handlers/handled-record.js';
export { createKafka } from './kafka-client.js';
export type { CreateKafkaOptions } from './kafka-client.js';
export { isKafkaAuthError } from './kafka-security.js';
export type { KafkaSecurity } from './kafka-security.js';
export {
  deadLetterTopicOf,
  ensureTopics,
  describeTopic,
  fetchEndOffsets,
  endOffsetsWith,
  withAdmin,
  TopicNotFoundError,
  PartitionCountMismatchError,
} from './kafka-admin.js';
export type { EnsureTopicsOptions, EnsureTopicsResult } from './kafka-admin.js';
export { produceMessages, produceLoad, loadKey, loadValue } from './load-producer.js';
export { produceLoadToGroup } from './ring-load.js';
export { createRingProducer } from './ring-producer.js';
export type { RingProducer, RingProducerOptions, RingRecord, RecordPlacement } from './ring-producer.js';
export type { ProduceOptions, ProduceResult, ProduceProgress, LoadOptions } from './load-producer.js';
export { createKafkajsSource } from './kafka-source.js';
export { kafkaClients, kafkajsClients, KAFKA_CLIENT_NAMES } from './kafka-clients.js';
export type { KafkaClients, KafkaClientName, KafkaConnectOptions, EndOffsetsReader } from './kafka-clients.js';
export type { RangeSource, SourceMessage } from './range-source.js';
export { RangeOwnership } from './range-ownership.js';
export type { RangeConsumer, OwnershipState } from './range-ownership.js';
export { AssignedRanges } from './assigned-ranges.js';
export { FETCH_DEFAULTS } from './kafka-source/consumer-settings.js';
export type { KafkajsFetchOptions } from './kafka-source/consumer-settings.js';
