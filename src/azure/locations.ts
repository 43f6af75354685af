import { ValidationError } from '../exit-codes.js';

/**
 * Regions that offer the Flex Consumption plan (the only plan the generated infra targets).
 * Source: `az functionapp list-flexconsumption-locations`, November 2026. A region missing here can be
 * added by editing `infra/main.parameters.json` of a generated app; the CLI only refuses names it cannot vouch for.
 */
export const FLEX_CONSUMPTION_LOCATIONS = [
  'australiaeast',
  'brazilsouth',
  'canadacentral',
  'centralindia',
  'centralus',
  'eastasia',
  'eastus',
  'eastus2',
  'francecentral',
  'germanywestcentral',
  'italynorth',
  'japaneast',
  'koreacentral',
  'northcentralus',
  'northeurope',
  'norwayeast',
  'southafricanorth',
  'southcentralus',
  'southeastasia',
  'southindia',
  'spaincentral',
  'swedencentral',
  'uaenorth',
  'uksouth',
  'ukwest',
  'westcentralus',
  'westeurope',
  'westus',
  'westus2',
  'westus3',
] as const;

export type AzureLocation = (typeof FLEX_CONSUMPTION_LOCATIONS)[number];

export const DEFAULT_LOCATION: AzureLocation = 'eastus2';

/** Accepts the display form too ("East US 2"), since that is what the portal shows. */
export function parseLocation(input: unknown): AzureLocation {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new ValidationError('location must be an Azure region name such as eastus2');
  }
  const normalized = input.replace(/\s+/g, '').toLowerCase();
  const match = FLEX_CONSUMPTION_LOCATIONS.find((location) => location === normalized);
  if (!match) {
    throw new ValidationError(
      `unknown or unsupported Azure region "${input}"; Flex Consumption regions: ${FLEX_CONSUMPTION_LOCATIONS.join(', ')}`,
    );
  }
  return match;
}
