// The newest 4.x / 3.9.x releases that Maven Central can fully resolve
// (kafka 4.4.0 lacks kafka-tools-api-4.4.0.jar there; zookeeper 3.9.6 lacks
// its parent pom). Passed to Maven as -D<product>.version, so these
// constants, not the pom defaults, decide what runs. The images of
// infra/containers/ default to the same versions (image-versions.test.ts).
export const KAFKA_VERSION = '4.3.1';
export const ZOOKEEPER_VERSION = '3.9.5';

export type Product = 'kafka' | 'zookeeper';

export const versionOf: Record<Product, string> = {
  kafka: KAFKA_VERSION,
  zookeeper: ZOOKEEPER_VERSION,
};
