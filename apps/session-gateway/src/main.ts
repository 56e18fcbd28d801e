import 'reflect-metadata';
import { runService } from '@reverie/service-kit';
import { gatewayService } from './app.module';
import { loadGatewayConfig } from './config/gateway.config';

void runService('session-gateway', () => loadGatewayConfig(), gatewayService);
