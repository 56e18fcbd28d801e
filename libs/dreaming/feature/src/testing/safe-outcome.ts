/** For pipeline specs: an operator's outcome definition of one criterion, a safe landing. */
export const SAFE_OUTCOME = {
  description: 'land safely',
  environment: 'lunar-lander',
  maxIterations: 1,
  criteria: [
    { id: 'safe', kind: 'bound', path: 'touchdown.safe', op: 'eq', value: true, required: true },
  ],
} as const;
