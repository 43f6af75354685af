/**
 * The workspace-based Application Insights tables alerts and workbooks read, with their real column names
 * and types (Azure Monitor Logs table reference: learn.microsoft.com/azure/azure-monitor/reference/tables).
 * A query naming a table or column that is not here fails the KQL check, so keep this list exact.
 */

/** Columns every App* table carries (telemetry envelope, client context, billing). */
const COMMON_COLUMNS: Record<string, string> = {
  TenantId: 'string',
  TimeGenerated: 'datetime',
  Type: 'string',
  SourceSystem: 'string',
  _ResourceId: 'string',
  _SubscriptionId: 'string',
  _BilledSize: 'real',
  _IsBillable: 'string',
  ResourceGUID: 'string',
  IKey: 'string',
  SDKVersion: 'string',
  ItemCount: 'int',
  Properties: 'dynamic',
  Measurements: 'dynamic',
  OperationId: 'string',
  OperationName: 'string',
  ParentId: 'string',
  SessionId: 'string',
  SyntheticSource: 'string',
  UserId: 'string',
  UserAuthenticatedId: 'string',
  UserAccountId: 'string',
  AppVersion: 'string',
  AppRoleName: 'string',
  AppRoleInstance: 'string',
  ClientType: 'string',
  ClientModel: 'string',
  ClientOS: 'string',
  ClientIP: 'string',
  ClientCity: 'string',
  ClientStateOrProvince: 'string',
  ClientCountryOrRegion: 'string',
  ClientBrowser: 'string',
};

const TABLE_COLUMNS: Record<string, Record<string, string>> = {
  AppRequests: {
    Id: 'string',
    Name: 'string',
    Source: 'string',
    Url: 'string',
    Success: 'bool',
    ResultCode: 'string',
    DurationMs: 'real',
    PerformanceBucket: 'string',
    ReferencedItemId: 'string',
    ReferencedType: 'string',
  },
  AppDependencies: {
    Id: 'string',
    Name: 'string',
    Target: 'string',
    DependencyType: 'string',
    Data: 'string',
    Success: 'bool',
    ResultCode: 'string',
    DurationMs: 'real',
    PerformanceBucket: 'string',
    ReferencedItemId: 'string',
    ReferencedType: 'string',
  },
  AppExceptions: {
    ProblemId: 'string',
    HandledAt: 'string',
    ExceptionType: 'string',
    Assembly: 'string',
    Method: 'string',
    OuterType: 'string',
    OuterMessage: 'string',
    OuterAssembly: 'string',
    OuterMethod: 'string',
    InnermostType: 'string',
    InnermostMessage: 'string',
    InnermostAssembly: 'string',
    InnermostMethod: 'string',
    SeverityLevel: 'int',
    Details: 'dynamic',
    Message: 'string',
  },
  AppTraces: {
    Message: 'string',
    SeverityLevel: 'int',
    ReferencedItemId: 'string',
    ReferencedType: 'string',
  },
  AppEvents: {
    Name: 'string',
  },
  AppMetrics: {
    Name: 'string',
    Sum: 'real',
    Min: 'real',
    Max: 'real',
  },
};

/** Table name → `(Column:type, …)` schema text, the form the Kusto language service reads. */
export const LOG_ANALYTICS_TABLES: Record<string, string> = Object.fromEntries(
  Object.entries(TABLE_COLUMNS).map(([table, own]) => {
    const columns = { ...COMMON_COLUMNS, ...own };
    return [table, `(${Object.entries(columns).map(([name, type]) => `['${name}']:${type}`).join(', ')})`];
  }),
);
