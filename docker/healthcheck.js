// Docker HEALTHCHECK of every Reverie image: exit 0 when /health/ready answers 200 (MongoDB and
// Kafka reachable, the service's consumers running), 1 otherwise. Node's own fetch, as the slim
// base image has no curl or wget.
const port = process.env.PORT || '3000';
fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(4000) })
  .then((res) => process.exit(res.status === 200 ? 0 : 1))
  .catch(() => process.exit(1));
