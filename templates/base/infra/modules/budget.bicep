@description('Budget name, unique within the resource group.')
param name string

@description('Monthly amount in the billing account\'s currency; the budget covers this resource group only.')
param amount int

@description('Percentages of the amount already spent that send a notification.')
param actualThresholdsPercent int[]

@description('Percentages of the amount Cost Management forecasts for the month that send a notification.')
param forecastThresholdsPercent int[]

@description('Email addresses notified, in addition to the resource group owners and the action group.')
param contactEmails string[]

@description('Action group notified with every budget notification.')
param actionGroupId string

@description('First day (yyyy-MM-01) of the budget\'s first month, as recorded by an earlier deployment; empty on the first one.')
param startDate string

@description('Not passed by callers: the first of the current month, the only start a new monthly budget accepts.')
param firstOfCurrentMonth string = '${utcNow('yyyy-MM')}-01'

// Azure refuses to change a budget's start date, so once created it keeps the one it was created with.
var effectiveStartDate = empty(startDate) ? firstOfCurrentMonth : startDate

var notifications = concat(
  map(actualThresholdsPercent, threshold => { key: 'actual-${threshold}', threshold: threshold, type: 'Actual' }),
  map(forecastThresholdsPercent, threshold => { key: 'forecast-${threshold}', threshold: threshold, type: 'Forecasted' })
)

resource budget 'Microsoft.Consumption/budgets@2024-08-01' = {
  name: name
  properties: {
    category: 'Cost'
    amount: amount
    timeGrain: 'Monthly'
    timePeriod: {
      startDate: effectiveStartDate
    }
    notifications: toObject(notifications, notification => notification.key, notification => {
      enabled: true
      operator: 'GreaterThanOrEqualTo'
      threshold: notification.threshold
      thresholdType: notification.type
      contactEmails: contactEmails
      contactGroups: [
        actionGroupId
      ]
      contactRoles: [
        'Owner'
      ]
    })
  }
}

output startDate string = effectiveStartDate
