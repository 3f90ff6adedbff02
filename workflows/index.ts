export { grantWorkflow } from './grant.js';
export { reviewWorkflow } from './review.js';
