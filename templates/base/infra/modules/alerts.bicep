param location string
param tags object

@description('Prefix of every alert name, so the app\'s alerts sort together in the portal.')
param namePrefix string

@description('Log Analytics workspace the app\'s Application Insights writes to.')
param logAnalyticsWorkspaceId string
param actionGroupId string

@description('Log alerts: KQL over the workspace tables, one scheduled query rule each.')
param alerts {
  id: string
  description: string
  severity: int
  query: string
  operator: ('GreaterThan' | 'GreaterThanOrEqual' | 'LessThan' | 'LessThanOrEqual' | 'Equal')
  threshold: int
  windowMinutes: int
  frequencyMinutes: int
  metricColumn: string?
}[]

resource rules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for alert in alerts: {
    name: '${namePrefix}-${alert.id}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: '${namePrefix}-${alert.id}'
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [
        logAnalyticsWorkspaceId
      ]
      evaluationFrequency: 'PT${alert.frequencyMinutes}M'
      windowSize: 'PT${alert.windowMinutes}M'
      autoMitigate: true
      // Azure would run each query against the workspace now and refuse the rule while a table it reads has no data
      // yet, as on the first provision. create-serverless-app checks every query against the tables' schema instead.
      skipQueryValidation: true
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: alert.?metricColumn == null ? 'Count' : 'Total'
            metricMeasureColumn: alert.?metricColumn
            operator: alert.operator
            threshold: alert.threshold
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      actions: {
        actionGroups: [
          actionGroupId
        ]
      }
    }
  }
]
