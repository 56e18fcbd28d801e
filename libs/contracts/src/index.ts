export * from './topics.constant';
export * from './envelope.schema';
export * from './registry';
export * from './sessions/session-event-body.schema';
export * from './sessions/session.events';
export * from './runs/run.events';
export * from './playbooks/playbook.events';
