import { Command, InvalidArgumentError } from 'commander';

export interface UpOptions {
  ensemble: boolean;
  /** First ZooKeeper client port; an ensemble uses it and the next two. */
  zkPort: number;
  kafkaPort: number;
  controllerPort: number;
}

export type InfraCommand =
  | ({ command: 'up' } & UpOptions)
  | { command: 'down'; clean: boolean }
  | { command: 'status' };

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
    .option('--kafka-port <port>', 'Kafka client port', port, 9092)
    .option('--controller-port <port>', 'Kafka KRaft controller port', port, 9093)
    .action((o: { ensemble: boolean; zkPort: number; kafkaPort: number; controllerPort: number }) => {
      result = { command: 'up', ensemble: o.ensemble, zkPort: o.zkPort, kafkaPort: o.kafkaPort, controllerPort: o.controllerPort };
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
