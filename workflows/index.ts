export { internshipWorkflow } from './internship';
export { opsDigestWorkflow } from './ops-digest';
