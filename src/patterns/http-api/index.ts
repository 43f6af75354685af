import { definePattern, emptyContribution } from '../types.js';

// Placeholder until the pattern's own issue lands: it is listed and selectable, and adds a README section.
export const httpApi = definePattern({
  id: 'http-api',
  title: 'HTTP API',
  summary: 'RESTful endpoints with validation, authentication and problem+json errors.',
  matrix: { useCase: 'RESTful', scalability: 'High', complexity: 'Low' },
  options: {},
  contribute: () => ({ ...emptyContribution(), readmePartial: 'patterns/http-api/partials/readme.md' }),
});
