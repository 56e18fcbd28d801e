/**
 * Every metric a Reverie service registers (besides prom-client's default process and Node.js
 * metrics), by name. Dashboards and alert rules may reference only these; a spec checks them.
 */
export const METRIC = {
  httpRequests: 'reverie_http_requests_total',
  httpDuration: 'reverie_http_request_duration_seconds',
  eventsIngested: 'reverie_events_ingested_total',
  consumerLag: 'reverie_kafka_consumer_lag',
  messagesHandled: 'reverie_kafka_messages_handled_total',
  deadLettered: 'reverie_kafka_dead_lettered_total',
  sessionsRun: 'reverie_sessions_run_total',
  grades: 'reverie_grades_total',
  dreams: 'reverie_dreams_total',
  dreamDuration: 'reverie_dream_duration_seconds',
  dreamTokens: 'reverie_dream_tokens_total',
  dreamSimulations: 'reverie_dream_simulations_total',
  webhookDeliveries: 'reverie_webhook_deliveries_total',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];
