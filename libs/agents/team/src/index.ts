export * from './team-spec';
export * from './team-log';
