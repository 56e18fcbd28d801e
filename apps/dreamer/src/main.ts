import 'reflect-metadata';
import { runService } from '@reverie/service-kit';
import { service } from './app.module';
import { loadConfig } from './config/dreamer.config';

void runService('dreamer', () => loadConfig(), service);
