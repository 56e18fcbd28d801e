export * from './playbook-id';
export * from './playbooks-data-access.module';
export * from './schemas/playbook-version.schema';
export * from './repositories/playbook-conflict.error';
export * from './repositories/playbook-version.mapper';
export * from './repositories/playbook-version.repository';
export * from './writer/playbook-activated.event';
export * from './writer/playbook-version.writer';
