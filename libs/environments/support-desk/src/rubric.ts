/**
 * The outcome definition a support-desk agent starts with (`PUT /v1/agents/:id/outcome`): the
 * request carried out exactly (required), the customer told before the ticket closes.
 */
export const SUPPORT_DESK_RUBRIC = {
  description: "Carry out the ticket's request exactly and tell the customer before closing it",
  environment: 'support-desk',
  maxIterations: 1,
  passingScore: 1,
  criteria: [
    {
      id: 'resolved',
      kind: 'bound',
      path: 'support.resolved',
      op: 'eq',
      value: true,
      required: true,
      description: "the ticket's request carried out exactly",
    },
    {
      id: 'notified-first',
      kind: 'bound',
      path: 'support.notified_before_close',
      op: 'eq',
      value: true,
      required: true,
      description: 'the customer is told before the ticket closes',
    },
  ],
} as const;
