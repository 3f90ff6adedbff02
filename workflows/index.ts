export { grantWorkflow } from './grant.js';
