import { definePattern, emptyContribution } from '../types.js';

// Placeholder until the pattern's own issue lands: it is listed and selectable, and adds a README section.
export const dataProcessing = definePattern({
  id: 'data-processing',
  title: 'Data Processing',
  summary: 'ETL pipelines from blobs, queues or event streams: parse, validate, map, enrich, persist and archive.',
  matrix: { useCase: 'ETL', scalability: 'High', complexity: 'Medium' },
  options: {},
  contribute: () => ({ ...emptyContribution(), readmePartial: 'patterns/data-processing/partials/readme.md' }),
});
