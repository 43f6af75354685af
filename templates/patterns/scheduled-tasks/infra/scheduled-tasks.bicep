// Scheduled Tasks: the run-history and checkpoint tables, and a workbook over the jobs' run telemetry.
param location string
param tags object

@description('Host storage account; the app\'s identity already has Storage Table Data Contributor on it.')
param storageAccountName string

@description('Log Analytics workspace behind Application Insights, where the ScheduledJobRun events land.')
param logAnalyticsWorkspaceName string

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: logAnalyticsWorkspaceName
}

// Every StorageV2 account has its table service: referred to, never redeployed (a PUT would reset its settings).
resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' existing = {
  parent: storage
  name: 'default'
}

// One row per run attempt: partition = job, row = scheduled occurrence + attempt.
resource runsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' = {
  parent: tableService
  name: 'JobRuns'
}

// One row per job: the last unit of work it completed.
resource checkpointsTable 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' = {
  parent: tableService
  name: 'JobCheckpoints'
}

var sevenDaysMs = 604800000
// The workbook shows the queries shipped in monitoring/scheduled-tasks, so the portal and the repo never disagree.
var workbookQueries = [
  {
    name: 'success-rate'
    title: 'Success rate per job and day'
    query: loadTextContent('../../monitoring/scheduled-tasks/success-rate.kql')
  }
  {
    name: 'duration'
    title: 'Run duration per job and hour (seconds)'
    query: loadTextContent('../../monitoring/scheduled-tasks/duration.kql')
  }
  {
    name: 'missed-runs'
    title: 'Last successful run per job'
    query: loadTextContent('../../monitoring/scheduled-tasks/missed-runs.kql')
  }
  {
    name: 'past-due-and-retries'
    title: 'Late runs and retries per job'
    query: loadTextContent('../../monitoring/scheduled-tasks/past-due-and-retries.kql')
  }
  {
    name: 'job-runs'
    title: 'Runs, newest first'
    query: loadTextContent('../../monitoring/scheduled-tasks/job-runs.kql')
  }
]

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, logAnalytics.id, 'scheduled-jobs-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: 'Scheduled jobs (${storageAccountName})'
    category: 'workbook'
    sourceId: logAnalytics.id
    serializedData: string({
      version: 'Notebook/1.0'
      items: concat(
        [
          {
            type: 1
            name: 'introduction'
            content: {
              json: '## Scheduled jobs\nEvery run emits a `ScheduledJobRun` event (job, outcome, whether it is final, scheduled time, attempt, duration): a failed attempt the host still retries is not final, and pages no one. Run history with errors is also in the `JobRuns` table of the storage account.'
            }
          }
        ],
        map(workbookQueries, item => {
          type: 3
          name: item.name
          content: {
            version: 'KqlItem/1.0'
            title: item.title
            query: item.query
            size: 0
            queryType: 0
            resourceType: 'microsoft.operationalinsights/workspaces'
            timeContext: {
              durationMs: sevenDaysMs
            }
          }
        })
      )
    })
  }
}

output runsTableName string = runsTable.name
output checkpointsTableName string = checkpointsTable.name
output workbookId string = workbook.id
