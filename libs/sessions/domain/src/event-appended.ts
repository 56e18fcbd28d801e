// The builder lives in the contracts (every producer of session events must derive the same ids);
// re-exported so existing imports from @reverie/sessions-domain keep working.
export { eventAppended } from '@reverie/contracts';
