import type { DevDependencyName, RuntimeDependencyName } from '../versions.js';

/** Stable pattern ids: part of the CLI contract (flags, answers files, manifests). Never rename one. */
export const PATTERN_IDS = ['http-api', 'event-processing', 'scheduled-tasks', 'data-processing'] as const;
export type PatternId = (typeof PATTERN_IDS)[number];

/** One row of the pattern selection matrix. */
export interface MatrixRow {
  useCase: string;
  scalability: 'Low' | 'Medium' | 'High' | 'Very High';
  complexity: 'Low' | 'Medium' | 'High';
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * One question a pattern asks. The same declaration drives the command-line flag, the answers file key,
 * the `--yes` default and the interactive prompt, so all of them validate alike.
 */
export interface OptionSpec<T extends JsonValue = JsonValue> {
  /** Commander flag, e.g. `--resource <names>`; unique across all patterns. */
  flag: string;
  description: string;
  /** Used by `--yes` and shown as the prompt's default. */
  defaultValue: T;
  /**
   * Turns a flag string, an answers-file value or a prompt answer into the typed value.
   * Throws ValidationError with a message that reads well after "--flag: ".
   */
  parse(input: unknown): T;
  /** How the value is shown back to the user and offered as the prompt's default text. */
  format(value: T): string;
  prompt:
    | {
        kind: 'input';
        /** The question, where the flag's description names other flags, which someone answering questions never typed. */
        message?: string;
      }
    | { kind: 'select'; choices: readonly { value: string; name: string }[] }
    | {
        kind: 'checkbox';
        /** The question, where the flag's description ("…, comma-separated") does not fit a list of boxes. */
        message: string;
        choices: readonly { value: string; name: string }[];
      };
  /**
   * Whether the questionnaire asks for it, given the pattern's options declared before it (parsed; defaults
   * for those not given). Unasked, the default applies. Absent: always asked.
   */
  askWhen?(earlier: Readonly<Record<string, JsonValue>>): boolean;
  /**
   * For an option whose empty default means "not used" but which `askWhen` asks only where it is needed: the
   * message an empty answer at the prompt gets, so it is refused there and not after the pattern's last question.
   */
  requiredWhenAsked?: string;
}

/**
 * Values main.bicep owns and hands to pattern modules; a module declares the ones it uses. Core resources
 * are passed by name (modules look them up with `existing`), so names derived from them stay deterministic.
 */
export const CORE_PARAMS = [
  'location',
  'tags',
  'uniqueSuffix',
  'identityName',
  'storageAccountName',
  'keyVaultName',
  'functionAppName',
  'functionAppHostName',
  'applicationInsightsName',
  'logAnalyticsWorkspaceName',
  'actionGroupName',
] as const;
export type CoreParam = (typeof CORE_PARAMS)[number];

/** A Bicep module composed into infra/main.bicep. */
export interface InfraModule {
  /** Bicep symbolic name in main.bicep, e.g. `httpApi`. */
  symbol: string;
  /** Template path under templates/, rendered to `path`. */
  template: string;
  /** Output path in the generated project, e.g. `infra/modules/http-api.bicep`. */
  path: string;
  /** Shared values the module declares as `param <name>` (bicep lint fails on unused params). */
  coreParams: readonly CoreParam[];
  /** Extra literal parameters (strings, numbers, arrays, objects), rendered as Bicep literals. */
  params?: Record<string, JsonValue>;
  /** Extra data for rendering the module's own template (it is rendered like a file, with `options`). */
  data?: Record<string, unknown>;
}

/**
 * An app setting of the function app. Locally it goes into local.settings.json; in Azure its value is
 * an output of one of the pattern's infra modules, or a literal.
 */
export interface AppSetting {
  name: string;
  /**
   * Value in local.settings.json (Azurite, emulators or an obvious placeholder). Omitted for cloud-only
   * settings, e.g. `<Connection>__credential = managedidentity`, which would break local runs.
   */
  local?: string;
  cloud: { module: string; output: string } | { value: string };
  /** Plain text for the README's settings table, which escapes it: no Markdown, no code spans. */
  description: string;
}

/** A scheduled-query (KQL) alert over the app's Application Insights / Log Analytics data. */
export interface LogAlert {
  /** Short kebab-case id; the Azure name becomes `alert-<id>-<app>`. */
  id: string;
  description: string;
  /** 0 critical … 4 verbose. */
  severity: 0 | 1 | 2 | 3 | 4;
  /** KQL over workspace tables (AppRequests, AppExceptions, AppTraces, AppEvents, AppMetrics…). */
  query: string;
  operator: 'GreaterThan' | 'GreaterThanOrEqual' | 'LessThan' | 'LessThanOrEqual' | 'Equal';
  threshold: number;
  /** Evaluation window and frequency in minutes. */
  windowMinutes: number;
  frequencyMinutes: number;
  /** Column the rule measures; omitted means the row count. */
  metricColumn?: string;
}

/**
 * The share of failed invocations (of `requests`, a KQL filter over AppRequests, or all) above 5% in 15 minutes,
 * evaluated once there are 20: a floor, so one failure in a quiet window is not 100%.
 */
export function failureRateAlert(alert: Pick<LogAlert, 'id' | 'description' | 'severity'>, requests?: string): LogAlert {
  return {
    ...alert,
    query: [
      'AppRequests',
      ...(requests ? [`| where ${requests}`] : []),
      '| summarize Total = sum(ItemCount), Failed = sumif(ItemCount, Success == false)',
      '| where Total >= 20',
      '| project FailureRatePercent = 100.0 * Failed / Total',
    ].join('\n'),
    metricColumn: 'FailureRatePercent',
    operator: 'GreaterThan',
    threshold: 5,
    windowMinutes: 15,
    frequencyMinutes: 5,
  };
}

/** A file rendered into the project. */
export interface TemplateFile {
  /** Path under templates/; `.hbs` files are rendered with Handlebars, others copied verbatim. */
  template: string;
  /** Path in the generated project. */
  path: string;
  /** Extra data for this file only (e.g. the resource a per-resource file is about). */
  data?: Record<string, unknown>;
  /** The key of the option that named the file (a job's or a resource's), so a clash can say what to change. */
  option?: string;
}

/**
 * Shared capabilities that base templates and feature folders provide once, whichever patterns ask:
 * - azurite: an in-memory Azurite for the generated tests (`inject('azuriteConnectionString')`);
 * - storageClients: src/shared/storage-clients.ts (identity-or-connection-string Table/Blob/Queue clients), and for tests
 *   of stores that must recognise their own resent write, test/support/lost-write-responses.ts (a table client whose
 *   next write lands but loses its response);
 * - postdeployHooks: an azd postdeploy hook (Node.js, any platform) running the steps of infra/hooks/postdeploy.d/*.mjs;
 * - slowTests: `npm run test:slow` runs the `*.slow.ts` files under test/ (checks too slow for every `npm test`, e.g. a
 *   memory bound over a 100 MB input); CI and the generator's e2e run it.
 * - traceContext: src/shared/trace-context.ts (W3C trace context read from the invocation, stamped on the
 *   messages the app sends and logged where a message is received), for correlation across triggers;
 * - metricAlerts: infra/modules/metric-alerts.bicep, metric alert rules a pattern module declares on its own
 *   resources (module `…` 'metric-alerts.bicep' with the alerts, the action group name and the resource token);
 * - customTelemetry: src/shared/custom-telemetry.ts, custom events and metrics sent straight to the Application Insights
 *   ingestion API with an Entra ID token: no sampling touches them, so an alert over AppEvents can page on one.
 */
export const FEATURES = ['azurite', 'storageClients', 'postdeployHooks', 'slowTests', 'traceContext', 'metricAlerts', 'customTelemetry'] as const;
export type Feature = (typeof FEATURES)[number];

/** Everything one pattern adds to the app, derived from its validated options. */
export interface PatternContribution {
  files: TemplateFile[];
  infraModules: InfraModule[];
  appSettings: AppSetting[];
  /** Deep-merged into host.json. */
  hostJson: JsonObject;
  dependencies: RuntimeDependencyName[];
  devDependencies: DevDependencyName[];
  alerts: LogAlert[];
  features: Feature[];
  /** Partial name (path under templates/ without `.hbs`) rendered into the generated README. */
  readmePartial?: string;
  /** Lines appended to the "next steps" message after generation. */
  nextSteps: string[];
  /** Lines shown before anything is written (and in --dry-run), e.g. a schedule in plain English, a warning. */
  notices: string[];
  /** How the pattern's resources bill (per use vs fixed monthly), shown in the summary; no prices in code. */
  costNotes: string[];
  /** Queues, containers and tables it uses in the app's one storage account: no two patterns may share one. */
  storageNames: StorageName[];
  /**
   * The functions it registers (`app.http(name, …)`): the host refuses to start an app that registers one name
   * twice, and compares them ignoring case.
   */
  functionNames: FunctionName[];
}

/** A function the app registers, and the key of the option that named it, if one did. */
export interface FunctionName {
  name: string;
  option?: string;
  /**
   * Whether an alert of its pattern watches its duration against a budget of its kind (an API's 2 s, a file
   * import's 5 minutes): the base project's 10-second alert over every execution leaves it out.
   */
  durationAlerted?: boolean;
}

/**
 * A name in the app's storage account. Two patterns on one queue would compete for its messages (each
 * message reaches one trigger), and two on one container or table would read each other's data.
 */
export interface StorageName {
  kind: 'queue' | 'container' | 'table';
  name: string;
  /** The key of the option that chose the name, so a clash can say what to change; absent for a fixed name. */
  option?: string;
}

export interface ProjectInfo {
  name: string;
  /** Project name trimmed for Azure resource names. */
  slug: string;
  location: string;
}

export interface PatternDefinition<TOptions extends Record<string, JsonValue> = Record<string, JsonValue>> {
  id: PatternId;
  title: string;
  /** One sentence: what the pattern generates. */
  summary: string;
  matrix: MatrixRow;
  /** Keyed by the answers-file key (camelCase). */
  options: { [K in keyof TOptions]: OptionSpec<TOptions[K]> };
  /**
   * Cross-option checks that a single option's parser cannot make (e.g. aggregation needs a key). Messages name
   * options through `name` (`--auth`, or `patterns.http-api.auth` when the value came from an answers file).
   */
  validate?(options: TOptions, name: (key: keyof TOptions & string) => string): void;
  contribute(options: TOptions, project: ProjectInfo): PatternContribution;
}

/** Identity helper that keeps the option types of a pattern definition precise. */
export function definePattern<TOptions extends Record<string, JsonValue>>(
  definition: PatternDefinition<TOptions>,
): PatternDefinition<TOptions> {
  return definition;
}

/** A contribution that adds nothing; patterns spread it and fill in what they add. */
export function emptyContribution(): PatternContribution {
  return {
    files: [],
    infraModules: [],
    appSettings: [],
    hostJson: {},
    dependencies: [],
    devDependencies: [],
    alerts: [],
    features: [],
    nextSteps: [],
    notices: [],
    costNotes: [],
    storageNames: [],
    functionNames: [],
  };
}
