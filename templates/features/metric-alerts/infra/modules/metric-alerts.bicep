// Metric alerts on a pattern's own resources (an Event Grid topic, a Service Bus namespace…), to the app's
// action group. Pattern modules call it with their resources' metrics; the app's log alerts live in main.bicep.
param uniqueSuffix string
param tags object

@description('Action group every alert notifies.')
param actionGroupName string

@description('One rule per entry: the metric of the resource `scope` (its id), over 15 minutes, every 5, above `threshold`.')
param alerts {
  @description('Short kebab-case name; the rule is named alert-<name>-<uniqueSuffix>.')
  name: string
  description: string
  @minValue(0)
  @maxValue(4)
  severity: int
  scope: string
  metricName: string
  aggregation: ('Average' | 'Maximum' | 'Minimum' | 'Total' | 'Count')
  threshold: int
  @description('Only these values of a metric dimension count, e.g. EntityName of one queue in a namespace; without it, the whole resource.')
  dimensions: {
    name: string
    operator: 'Include'
    values: string[]
  }[]?
}[]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' existing = {
  name: actionGroupName
}

resource metricAlerts 'Microsoft.Insights/metricAlerts@2018-03-01' = [
  for alert in alerts: {
    name: 'alert-${alert.name}-${uniqueSuffix}'
    location: 'global'
    tags: tags
    properties: {
      description: alert.description
      severity: alert.severity
      enabled: true
      scopes: [
        alert.scope
      ]
      evaluationFrequency: 'PT5M'
      windowSize: 'PT15M'
      autoMitigate: true
      criteria: {
        'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
        allOf: [
          {
            criterionType: 'StaticThresholdCriterion'
            name: alert.metricName
            metricName: alert.metricName
            operator: 'GreaterThan'
            threshold: alert.threshold
            timeAggregation: alert.aggregation
            dimensions: alert.?dimensions ?? []
          }
        ]
      }
      actions: [
        {
          actionGroupId: actionGroup.id
        }
      ]
    }
  }
]
