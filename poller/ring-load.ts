import { createRingProducer, type RingProducerOptions } from './ring-producer.js';
import { produceLoad, type LoadOptions, type ProduceResult } from './load-producer.js';

/**
 * The load producer (`produceLoad`) sending through a ring producer: the
 * group's topic and range count, followed while it runs (a resize pauses it,
 * then it sends with the new R). Used by `ringleader produce --group` and
 * the demo.
 */
export async function produceLoadToGroup(producer: RingProducerOptions, load: (topic: string) => LoadOptions): Promise<ProduceResult & { topic: string; ranges: number }> {
  const ring = await createRingProducer(producer);
  const result = await produceLoad(load(ring.topic), async () => ({ send: async (messages) => void (await ring.send(messages)), close: () => ring.close() }));
  return { ...result, topic: ring.topic, ranges: ring.ranges() };
}
