// The shared integration servers as containers (RINGLEADER_TEST_SERVERS=containers):
// a ZooKeeper ensemble and a single-node KRaft Kafka, from the images of
// infra/containers/ (built here on first use, then reused), through
// testcontainers. Ports are published on 127.0.0.1 only.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { GenericContainer, Network, Wait, getContainerRuntimeClient, ImageName, type StartedNetwork } from 'testcontainers';
import { freePort } from '../../infra/ports.js';
import { repoRoot } from '../../infra/paths.js';
import { waitForKafka, waitForZooKeeper } from '../../infra/readiness.js';

export interface ContainerServers {
  zkConnect: string;
  brokers: string;
  close(): Promise<void>;
}

export interface ContainerServerOptions {
  /** ZooKeeper ensemble size (1 = standalone). */
  zkNodes: number;
  logger: Logger;
  /** Debian 12 base for images built here (RINGLEADER_IMAGE_BASE). */
  base?: string;
  readyTimeoutMs?: number;
}

export const ZOOKEEPER_IMAGE = 'ringleader-zookeeper:local';
export const KAFKA_IMAGE = 'ringleader-kafka:local';

/** Publishes every exposed port on 127.0.0.1 only (testcontainers binds all addresses by default). */
class LoopbackContainer extends GenericContainer {
  protected override async beforeContainerCreated(): Promise<void> {
    for (const bindings of Object.values(this.hostConfig.PortBindings ?? {})) {
      for (const b of bindings as { HostIp?: string }[]) b.HostIp = '127.0.0.1';
    }
  }
}

/** The image, built from infra/containers/<name>/Dockerfile when the container runtime lacks it. */
async function ensureImage(image: string, name: 'zookeeper' | 'kafka', base: string | undefined, log: Logger): Promise<void> {
  const client = await getContainerRuntimeClient();
  if (await client.image.exists(ImageName.fromString(image))) return;
  const started = Date.now();
  log.info({ image, base: base ?? '(Dockerfile default)' }, `building ${image} (first run only)`);
  await GenericContainer.fromDockerfile(join(repoRoot(), 'infra'), `containers/${name}/Dockerfile`)
    .withBuildArgs(base ? { BASE: base } : {})
    .build(image, { deleteOnExit: false });
  log.info({ image, ms: Date.now() - started }, `built ${image}`);
}

/** The last lines of every container of this run, so that a failed start says why before they are removed. */
async function logTails(label: Record<string, string>, log: Logger): Promise<void> {
  try {
    const docker = (await getContainerRuntimeClient()).container.dockerode;
    const ours = await docker.listContainers({ all: true, filters: { label: Object.entries(label).map(([k, v]) => `${k}=${v}`) } });
    for (const c of ours) {
      const buf = await docker.getContainer(c.Id).logs({ stdout: true, stderr: true, tail: 20, follow: false });
      log.error({ container: c.Id.slice(0, 12), image: c.Image, tail: buf.toString('utf8') }, 'container log tail');
    }
  } catch (err) {
    log.warn({ err }, 'could not read the containers\' logs');
  }
}

export function zooServers(n: number): string {
  return Array.from({ length: n }, (_, i) => `${i + 1}=zk${i + 1}`).join(' ');
}

export async function startContainerServers(options: ContainerServerOptions): Promise<ContainerServers> {
  const log = options.logger;
  const readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
  await ensureImage(ZOOKEEPER_IMAGE, 'zookeeper', options.base, log);
  await ensureImage(KAFKA_IMAGE, 'kafka', options.base, log);

  // Every container of this run carries this label, so that close() also
  // removes one whose start failed half-way (no Ryuk on podman to reap it).
  const runLabel = { 'dev.ringleader.test-run': `${process.pid}-${randomBytes(4).toString('hex')}` };
  let network: StartedNetwork | undefined;
  const close = async (): Promise<void> => {
    const docker = (await getContainerRuntimeClient()).container.dockerode;
    const ours = await docker.listContainers({ all: true, filters: { label: Object.entries(runLabel).map(([k, v]) => `${k}=${v}`) } });
    await Promise.allSettled(ours.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
    await network?.stop().catch(() => undefined);
  };
  try {
    network = await new Network().start();
    const ensemble = options.zkNodes > 1;
    // All members at once: none serves until a quorum has formed.
    const zk = await Promise.all(
      Array.from({ length: options.zkNodes }, (_, i) => {
        const c = new LoopbackContainer(ZOOKEEPER_IMAGE)
          .withNetwork(network as StartedNetwork)
          .withNetworkAliases(`zk${i + 1}`)
          .withLabels(runLabel)
          .withEnvironment({ ZOO_MY_ID: String(i + 1), ...(ensemble ? { ZOO_SERVERS: zooServers(options.zkNodes) } : {}) })
          .withExposedPorts(2181)
          .withWaitStrategy(Wait.forLogMessage(/binding to port/))
          .withStartupTimeout(readyTimeoutMs);
        return c.start();
      }),
    );
    const zkConnect = zk.map((c) => `127.0.0.1:${c.getMappedPort(2181)}`).join(',');

    // The broker advertises the host port to clients, so that port is chosen first.
    const kafkaPort = await freePort();
    const kafka = await new LoopbackContainer(KAFKA_IMAGE)
      .withNetwork(network)
      .withNetworkAliases('kafka')
      .withLabels(runLabel)
      .withEnvironment({ KAFKA_INTERNAL_HOST: 'kafka', KAFKA_EXTERNAL_ADVERTISED: `127.0.0.1:${kafkaPort}` })
      .withExposedPorts({ container: 9092, host: kafkaPort })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .withStartupTimeout(readyTimeoutMs)
      .start();
    const brokers = `127.0.0.1:${kafkaPort}`;

    // Every member, so that tests start with the whole ensemble serving.
    await Promise.all(zk.map((c) => waitForZooKeeper(`127.0.0.1:${c.getMappedPort(2181)}`, { timeoutMs: readyTimeoutMs, logFile: `docker logs ${c.getId()}` })));
    await waitForKafka([brokers], { timeoutMs: readyTimeoutMs, logFile: `docker logs ${kafka.getId()}` });
    log.info({ zkConnect, brokers, zkNodes: options.zkNodes }, 'ZooKeeper and Kafka containers are serving');
    return { zkConnect, brokers, close };
  } catch (err) {
    await logTails(runLabel, log);
    await close();
    throw err;
  }
}
