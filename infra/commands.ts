import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { kafkaPortsFor, zkPortsFor, type UpOptions } from './cli-args.js';
import { formatEnvFile } from './env-file.js';
import { InfraError } from './errors.js';
import { startInfra, type Infra } from './infra.js';
import { isOurProcess, stopOwnedProcess } from './owned-process.js';
import { envFileName, infraHome, stateFileName } from './paths.js';
import { assertPortsFree } from './ports.js';
import { kafkaAnswers, zooKeeperAnswers } from './readiness.js';
import { parseState, serializeState, type InfraState, type ProcessRecord } from './state.js';
import { requireTool } from './tools.js';

/** The actions behind `npm run infra -- up|down|status`; they never touch commander. */
export interface CommandContext {
  home?: string;
  logger: Logger;
  /** Human output (connect strings, status table). */
  print: (line: string) => void;
}

function statePath(home: string): string {
  return join(home, stateFileName);
}

export function readState(home = infraHome()): InfraState | undefined {
  const file = statePath(home);
  if (!existsSync(file)) return undefined;
  try {
    return parseState(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InfraError(`cannot read ${file} (${(err as Error).message}); stop the servers by hand and delete it`);
  }
}

function records(state: InfraState): ProcessRecord[] {
  return [...state.zookeeper, ...state.kafka];
}

function printEndpoints(ctx: CommandContext, home: string, state: InfraState): void {
  ctx.print(`RINGLEADER_ZK=${state.zkConnect}`);
  ctx.print(`RINGLEADER_BROKERS=${state.brokers}`);
  ctx.print(`(written to ${join(home, envFileName)}; logs under ${state.runDir})`);
}

async function answers(state: InfraState): Promise<{ zk: boolean; kafka: boolean }> {
  const [zk, kafka] = await Promise.all([zooKeeperAnswers(state.zkConnect), kafkaAnswers(state.brokers.split(','))]);
  return { zk, kafka };
}

function stateOf(infra: Infra): InfraState {
  return {
    version: 1,
    runDir: infra.runDir,
    startedAt: new Date().toISOString(),
    zkConnect: infra.zkConnectString,
    brokers: infra.kafka.bootstrap,
    zookeeper: infra.zookeeper.nodes.map((n) => {
      if (n.pid === undefined) throw new Error(`zookeeper-${n.id} has no pid`);
      return {
        name: `zookeeper-${n.id}`,
        pid: n.pid,
        marker: n.dir,
        logFile: n.logFile,
        id: n.id,
        clientPort: n.clientPort,
        ...(n.quorum ?? {}),
      };
    }),
    kafka: infra.kafka.nodes.map((n) => {
      if (n.pid === undefined) throw new Error(`${n.name} has no pid`);
      return { name: n.name, pid: n.pid, marker: n.dir, logFile: n.logFile, port: n.port, controllerPort: n.controllerPort };
    }),
  };
}

export async function up(options: UpOptions, ctx: CommandContext): Promise<InfraState> {
  const home = ctx.home ?? infraHome();
  const previous = readState(home);
  if (previous) {
    const alive = records(previous).every((r) => isOurProcess(r.pid, r.marker));
    if (alive && Object.values(await answers(previous)).every(Boolean)) {
      ctx.logger.info({ runDir: previous.runDir }, 'already running; reusing');
      writeFileSync(join(home, envFileName), formatEnvFile({ zkConnect: previous.zkConnect, brokers: previous.brokers }));
      printEndpoints(ctx, home, previous);
      return previous;
    }
    ctx.logger.warn('a previous `up` is only partly running; restarting it');
    await stopAll(previous, ctx);
    rmSync(statePath(home), { force: true });
  }

  requireTool('java');
  const zkPorts = zkPortsFor(options);
  const kafkaPorts = kafkaPortsFor(options);
  await assertPortsFree([
    ...zkPorts.map((port) => ({ port, what: 'ZooKeeper client', flag: '--zk-port' })),
    ...kafkaPorts.ports.map((port) => ({ port, what: 'Kafka', flag: '--kafka-port' })),
    ...kafkaPorts.controllerPorts.map((port) => ({ port, what: 'Kafka controller', flag: '--controller-port' })),
  ]);
  const runDir = join(home, runDirName(options));
  mkdirSync(runDir, { recursive: true });
  const started = Date.now();
  const infra = await startInfra({
    ensemble: options.ensemble,
    zkPorts,
    kafkaBrokers: options.kafkaBrokers,
    kafkaPort: options.kafkaPort,
    controllerPort: options.controllerPort,
    runDir,
    removeOnClose: false,
    detached: true,
    logger: ctx.logger,
  });
  const state = stateOf(infra);
  writeFileSync(statePath(home), serializeState(state));
  writeFileSync(join(home, envFileName), formatEnvFile({ zkConnect: state.zkConnect, brokers: state.brokers }));
  ctx.logger.info(
    { ms: Date.now() - started, zookeeper: infra.zookeeper.version, kafka: infra.kafka.version },
    `ZooKeeper ${infra.zookeeper.version} and Kafka ${infra.kafka.version}${infra.kafka.nodes.length > 1 ? ` (${infra.kafka.nodes.length} brokers)` : ''} up in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  printEndpoints(ctx, home, state);
  return state;
}

/** A folder per layout, so that a cluster never starts on a single node's data or the other way round. */
function runDirName(options: UpOptions): string {
  return `up${options.ensemble ? '-ensemble' : ''}${options.kafkaBrokers > 1 ? `-kafka${options.kafkaBrokers}` : ''}`;
}

async function stopAll(state: InfraState, ctx: CommandContext): Promise<void> {
  // Kafka first, then ZooKeeper, as a clean shutdown would.
  for (const r of [...state.kafka, ...state.zookeeper]) {
    const outcome = await stopOwnedProcess(r.pid, r.marker);
    ctx.logger.info({ name: r.name, pid: r.pid, outcome }, `${r.name} ${outcome}`);
  }
}

export async function down(options: { clean: boolean }, ctx: CommandContext): Promise<void> {
  const home = ctx.home ?? infraHome();
  const state = readState(home);
  if (state) {
    await stopAll(state, ctx);
    rmSync(statePath(home), { force: true });
    ctx.print(`stopped ${records(state).map((r) => r.name).join(', ')}`);
  } else {
    ctx.print('nothing running (no state file)');
  }
  rmSync(join(home, envFileName), { force: true });
  if (options.clean) {
    for (const dir of readdirSync(home)) if (/^up(-ensemble)?(-kafka\d)?$/.test(dir)) rmSync(join(home, dir), { recursive: true, force: true });
    ctx.print('data and logs deleted');
  }
}

/** Returns true when everything in the state file runs and answers. */
export async function status(ctx: CommandContext): Promise<boolean> {
  const home = ctx.home ?? infraHome();
  const state = readState(home);
  if (!state) {
    ctx.print('not running (no state file; start with `npm run infra -- up`)');
    return false;
  }
  const ok = await answers(state);
  let healthy = true;
  for (const z of state.zookeeper) {
    const running = isOurProcess(z.pid, z.marker);
    const answering = running && (await zooKeeperAnswers(`127.0.0.1:${z.clientPort}`));
    healthy &&= answering;
    ctx.print(`${z.name.padEnd(12)} pid ${String(z.pid).padEnd(8)} port ${z.clientPort}  ${running ? 'running' : 'NOT RUNNING'}  ${answering ? 'answers' : 'does not answer'}`);
  }
  healthy &&= ok.kafka;
  for (const k of state.kafka) {
    const running = isOurProcess(k.pid, k.marker);
    // Each node on its own: a node answers once it has joined the cluster.
    const answering = running && (state.kafka.length === 1 ? ok.kafka : await kafkaAnswers([`127.0.0.1:${k.port}`]));
    healthy &&= answering;
    ctx.print(`${k.name.padEnd(12)} pid ${String(k.pid).padEnd(8)} port ${k.port} (controller ${k.controllerPort})  ${running ? 'running' : 'NOT RUNNING'}  ${answering ? 'answers' : 'does not answer'}`);
  }
  ctx.print(`RINGLEADER_ZK=${state.zkConnect}`);
  ctx.print(`RINGLEADER_BROKERS=${state.brokers}`);
  return healthy;
}
