export { grantWorkflow } from './grant.js';
export { lendWorkflow } from './lend.js';
export { reviewWorkflow } from './review.js';
export { rotationWorkflow } from './rotation.js';
export { manualDoorWorkflow } from './manual-door.js';
export { incidentWorkflow } from './incident.js';
