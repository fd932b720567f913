import { Command, InvalidArgumentError } from 'commander';

export interface UpOptions {
  ensemble: boolean;
  /** First ZooKeeper client port; an ensemble uses it and the next two. */
  zkPort: number;
  /** Kafka nodes, each a broker and a KRaft controller voter. */
  kafkaBrokers: number;
  /** First Kafka client port; node i (0-based) uses kafkaPort + i. */
  kafkaPort: number;
  /** First KRaft controller port; node i uses controllerPort + i. */
  controllerPort: number;
}

export type InfraCommand =
  | ({ command: 'up' } & UpOptions)
  | { command: 'down'; clean: boolean }
  | { command: 'status' };

function brokerCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 9) throw new InvalidArgumentError('must be a number of brokers from 1 to 9');
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1 || n > 65535) {
    throw new InvalidArgumentError('must be a port number (1-65535)');
  }
  return n;
}

/**
 * Turns argv (without node and script) into a typed command. Throws
 * commander's CommanderError on bad input; `exitOverride` keeps it testable.
 */
export function parseInfraArgs(argv: string[], output?: { writeOut?: (s: string) => void; writeErr?: (s: string) => void }): InfraCommand {
  let result: InfraCommand | undefined;
  const program = new Command('infra')
    .description('Run real ZooKeeper and Kafka locally as JVM processes (state under .infra/)')
    .exitOverride()
    .showHelpAfterError(false);
  if (output) program.configureOutput(output);

  program
    .command('up')
    .description('start ZooKeeper and Kafka in the background (reuses them if already running)')
    .option('--ensemble', 'a 3-node ZooKeeper ensemble on --zk-port and the next two ports', false)
    .option('--zk-port <port>', 'ZooKeeper client port', port, 2181)
    .option('--kafka-brokers <n>', 'Kafka nodes (each a broker and a KRaft controller); 3 gives topics 3 replicas and min.insync.replicas=2', brokerCount, 1)
    .option('--kafka-port <port>', 'Kafka client port (of the first node; the others use the next ports)', port, 9092)
    .option('--controller-port <port>', 'Kafka KRaft controller port of the first node (default: right after the client ports)', port)
    .action((o: { ensemble: boolean; zkPort: number; kafkaBrokers: number; kafkaPort: number; controllerPort?: number }) => {
      const controllerPort = o.controllerPort ?? o.kafkaPort + o.kafkaBrokers;
      const overlap = Math.abs(controllerPort - o.kafkaPort) < o.kafkaBrokers;
      if (overlap) throw new InvalidArgumentError(`--controller-port ${controllerPort} overlaps the Kafka client ports ${o.kafkaPort}-${o.kafkaPort + o.kafkaBrokers - 1}`);
      if (Math.max(o.kafkaPort, controllerPort) + o.kafkaBrokers - 1 > 65535) throw new InvalidArgumentError('Kafka ports run past 65535');
      result = { command: 'up', ensemble: o.ensemble, zkPort: o.zkPort, kafkaBrokers: o.kafkaBrokers, kafkaPort: o.kafkaPort, controllerPort };
    });
  program
    .command('down')
    .description('stop the servers `up` started')
    .option('--clean', 'also delete their data and logs', false)
    .action((o: { clean: boolean }) => {
      result = { command: 'down', clean: o.clean };
    });
  program
    .command('status')
    .description('show what runs, with pids and ports, and whether each answers')
    .action(() => {
      result = { command: 'status' };
    });

  program.parse(argv, { from: 'user' });
  if (!result) {
    program.outputHelp();
    throw new InvalidArgumentError('missing command: up, down or status');
  }
  return result;
}

export function zkPortsFor(options: UpOptions): number[] {
  return options.ensemble ? [options.zkPort, options.zkPort + 1, options.zkPort + 2] : [options.zkPort];
}

/** Client ports of the Kafka nodes, then their controller ports. */
export function kafkaPortsFor(options: UpOptions): { ports: number[]; controllerPorts: number[] } {
  const run = (first: number) => Array.from({ length: options.kafkaBrokers }, (_, i) => first + i);
  return { ports: run(options.kafkaPort), controllerPorts: run(options.controllerPort) };
}
