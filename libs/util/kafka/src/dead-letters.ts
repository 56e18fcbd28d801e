import { DLQ_HEADERS } from '@reverie/contracts';

/** Where a dead-lettered message came from. */
export interface DeadLetterOrigin {
  topic: string;
  partition: number | null;
  offset: string | null;
}

/** The headers a dead-lettered message carries: why, from where, when. */
export function deadLetterHeaders(
  origin: DeadLetterOrigin,
  reason: string,
): Record<string, string> {
  return {
    [DLQ_HEADERS.reason]: reason.slice(0, 4_000),
    [DLQ_HEADERS.originalTopic]: origin.topic,
    ...(origin.partition === null
      ? {}
      : { [DLQ_HEADERS.originalPartition]: String(origin.partition) }),
    ...(origin.offset === null ? {} : { [DLQ_HEADERS.originalOffset]: origin.offset }),
    [DLQ_HEADERS.failedAt]: new Date().toISOString(),
  };
}
