import { describeDeclaredQueries } from '@reverie/testing/integration';
import { embeddedIndex, OUTCOMES_QUERIES, supportingIndex } from './queries';
import { OutcomesDataAccessModule } from './outcomes-data-access.module';

describeDeclaredQueries({
  domain: 'outcomes',
  dataAccess: OutcomesDataAccessModule,
  queries: OUTCOMES_QUERIES,
  probeCollection: 'outcomes',
  supportingIndex,
  embeddedIndex,
});
