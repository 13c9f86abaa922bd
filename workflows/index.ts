export { internshipWorkflow } from './internship';
