import { parentPort } from 'node:worker_threads';
import type { FlightJob } from './flight-pool';
import { flyResult } from './fly-job';

/** A FlightPool worker: flies each job it is sent and answers with the result or the error. */
parentPort?.on('message', (job: FlightJob) => {
  flyResult(job.scenario, job.rules).then(
    (result) => parentPort!.postMessage({ result }),
    (err: Error) => parentPort!.postMessage({ error: err.message }),
  );
});
