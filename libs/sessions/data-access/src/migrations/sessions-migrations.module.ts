import {
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { SessionsDataAccessModule } from '../sessions-data-access.module';
import { applyMigrations, type MigrationsMode } from './migrations';

const MIGRATIONS_MODE = Symbol('MIGRATIONS_MODE');

/** Runs or checks the sessions' data migrations once the collections' indexes exist. */
@Injectable()
export class SessionsMigrations implements OnModuleInit {
  private readonly logger = new Logger('EventPagesMigration');

  constructor(
    @InjectConnection() private readonly connection: Connection,
    @Inject(MIGRATIONS_MODE) private readonly mode: MigrationsMode,
  ) {}

  // Before the app listens and before its Kafka consumers start (both follow init).
  onModuleInit(): Promise<void> {
    return applyMigrations(this.connection, this.mode, this.logger);
  }
}

/**
 * The gateway's start-up step for data stored by earlier versions (see `MigrationsMode`). It
 * imports SessionsDataAccessModule, so the unique indexes are built first.
 */
@Module({})
export class SessionsMigrationsModule {
  static forRoot(mode: MigrationsMode): DynamicModule {
    return {
      module: SessionsMigrationsModule,
      imports: [SessionsDataAccessModule],
      providers: [{ provide: MIGRATIONS_MODE, useValue: mode }, SessionsMigrations],
    };
  }
}
