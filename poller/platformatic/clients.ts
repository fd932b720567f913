import type { KafkaClients } from '../kafka-clients.js';
import { produceLoad } from '../load-producer.js';
import { platformaticDescribeTopic, platformaticEndOffsets, platformaticEnsureTopics, platformaticGrowTopics, withPlatformaticAdmin } from './admin.js';
import { Admin } from '@platformatic/kafka';
import { platformaticBaseOptions, type PlatformaticConnectOptions } from './client-options.js';
import { createPlatformaticDeadLetterPublisher } from './dead-letter.js';
import { platformaticLoadSender } from './load-sender.js';
import { createPlatformaticSource } from './source.js';

/** KafkaClients on @platformatic/kafka (loaded on demand by kafka-clients.ts). */
export function platformaticClients(connection: PlatformaticConnectOptions): KafkaClients {
  return {
    name: 'platformatic',
    describeTopic: (topic) => platformaticDescribeTopic(connection, topic),
    ensureTopics: (o) => withPlatformaticAdmin(connection, (admin) => platformaticEnsureTopics(admin, o)),
    growTopics: (o) => withPlatformaticAdmin(connection, (admin) => platformaticGrowTopics(admin, o)),
    endOffsets: async (topic) => {
      const partitions = await platformaticDescribeTopic(connection, topic);
      return withPlatformaticAdmin(connection, (admin) => platformaticEndOffsets(admin, topic, partitions));
    },
    openEndOffsets: async (topic) => {
      const partitions = await platformaticDescribeTopic(connection, topic);
      const admin = new Admin(platformaticBaseOptions(connection));
      return {
        read: () => platformaticEndOffsets(admin, topic, partitions),
        close: () => admin.close(),
      };
    },
    createSource: (o) => createPlatformaticSource({ connection, ...o }),
    createDeadLetterPublisher: (o) => createPlatformaticDeadLetterPublisher({ connection, ...o }),
    produce: (o) => produceLoad(o, () => platformaticLoadSender(connection, o.topic)),
  };
}
