import { definePattern, emptyContribution } from '../types.js';

// Placeholder until the pattern's own issue lands: it is listed and selectable, and adds a README section.
export const scheduledTasks = definePattern({
  id: 'scheduled-tasks',
  title: 'Scheduled Tasks',
  summary: 'Timer-triggered jobs with past-due handling, checkpoints and execution tracking.',
  matrix: { useCase: 'Periodic', scalability: 'Medium', complexity: 'Low' },
  options: {},
  contribute: () => ({ ...emptyContribution(), readmePartial: 'patterns/scheduled-tasks/partials/readme.md' }),
});
