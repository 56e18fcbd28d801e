import { describeDeclaredQueries } from '@reverie/testing/integration';
import { embeddedIndex, SESSIONS_QUERIES, supportingIndex } from './queries';
import { SessionsDataAccessModule } from './sessions-data-access.module';

describeDeclaredQueries({
  domain: 'sessions',
  dataAccess: SessionsDataAccessModule,
  queries: SESSIONS_QUERIES,
  probeCollection: 'sessions',
  supportingIndex,
  embeddedIndex,
});
