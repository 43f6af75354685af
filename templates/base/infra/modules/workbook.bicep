param location string
param tags object

@description('Display name of the workbook in the portal.')
param displayName string

@description('Log Analytics workspace the app\'s Application Insights writes to; every panel queries it.')
param logAnalyticsWorkspaceName string

// The panels read the same .kql files that ship in infra/queries, so the workbook and the saved queries
// never drift apart (and a test checks every one against the workspace schema).
var panels = [
  {
    title: 'Executions and failures'
    query: loadTextContent('../queries/executions.kql')
    visualization: 'timechart'
  }
  {
    title: 'Duration percentiles (ms)'
    query: loadTextContent('../queries/duration-percentiles.kql')
    visualization: 'timechart'
  }
  {
    title: 'Functions'
    query: loadTextContent('../queries/functions.kql')
    visualization: 'table'
  }
  {
    title: 'Exceptions'
    query: loadTextContent('../queries/exceptions.kql')
    visualization: 'table'
  }
  {
    title: 'Dependencies'
    query: loadTextContent('../queries/dependencies.kql')
    visualization: 'table'
  }
  {
    title: 'Warnings and errors'
    query: loadTextContent('../queries/warnings-and-errors.kql')
    visualization: 'table'
  }
]

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: logAnalyticsWorkspaceName
}

var timeRangeParameter = {
  type: 9
  name: 'time-range'
  content: {
    version: 'KqlParameterItem/1.0'
    parameters: [
      {
        id: 'time-range'
        version: 'KqlParameterItem/1.0'
        name: 'TimeRange'
        type: 4
        isRequired: true
        value: {
          durationMs: 86400000
        }
        typeSettings: {
          selectableValues: [
            { durationMs: 3600000 }
            { durationMs: 14400000 }
            { durationMs: 86400000 }
            { durationMs: 604800000 }
          ]
        }
      }
    ]
  }
}

var content = {
  version: 'Notebook/1.0'
  items: concat(
    [timeRangeParameter],
    map(panels, panel => {
      type: 3
      name: panel.title
      content: {
        version: 'KqlItem/1.0'
        title: panel.title
        query: panel.query
        queryType: 0
        resourceType: 'microsoft.operationalinsights/workspaces'
        crossComponentResources: [
          workspace.id
        ]
        timeContextFromParameter: 'TimeRange'
        visualization: panel.visualization
        size: 0
      }
    })
  )
  fallbackResourceIds: [
    workspace.id
  ]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // Workbook names must be GUIDs; deriving it keeps redeploys updating the same workbook.
  name: guid(resourceGroup().id, logAnalyticsWorkspaceName, 'app-overview')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    serializedData: string(content)
    sourceId: workspace.id
  }
}
