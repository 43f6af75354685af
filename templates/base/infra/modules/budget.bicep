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

@description('First day of the budget\'s first month; budgets must start on the first of a month.')
param startDate string = '${utcNow('yyyy-MM')}-01'

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
      startDate: startDate
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
