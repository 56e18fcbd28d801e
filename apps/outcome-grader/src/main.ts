import 'reflect-metadata';
import { runService } from '@reverie/service-kit';
import { service } from './app.module';
import { loadConfig } from './config/outcome-grader.config';

void runService('outcome-grader', () => loadConfig(), service);
