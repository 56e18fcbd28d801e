import 'reflect-metadata';
import { runService } from '@reverie/service-kit';
import { service } from './app.module';
import { loadConfig } from './config/orchestrator.config';

void runService('orchestrator', () => loadConfig(), service);
