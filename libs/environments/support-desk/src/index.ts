export * from './tasks';
export * from './world';
export * from './support.facts';
export * from './support-desk.environment';
export * from './rubric';
export * from './offline-team';
