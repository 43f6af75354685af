import { definePattern, emptyContribution } from '../types.js';

// Placeholder until the pattern's own issue lands: it is listed and selectable, and adds a README section.
export const eventProcessing = definePattern({
  id: 'event-processing',
  title: 'Event Processing',
  summary: 'Handlers for Event Grid, Service Bus, Event Hubs and storage queue events with idempotency, retry and dead-lettering.',
  matrix: { useCase: 'Async', scalability: 'Very High', complexity: 'Medium' },
  options: {},
  contribute: () => ({ ...emptyContribution(), readmePartial: 'patterns/event-processing/partials/readme.md' }),
});
