/**
 * Exit codes are part of the CLI's contract with pipelines: documented in README.md, never reused.
 */
export const ExitCode = {
  Ok: 0,
  Unexpected: 1,
  Usage: 2,
  Conflict: 3,
  FileSystem: 4,
  PostStep: 5,
  /** `doctor` found at least one error in the project. */
  DoctorProblems: 6,
  Interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the user caused and can fix: printed as one line, never with a stack trace. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.Usage,
    /** Extra lines shown under the message, e.g. the list of conflicting paths. */
    readonly details: readonly string[] = [],
    /** What was done all the same (a created project whose install failed): part of the --json document. */
    readonly partialResult?: object,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A value that failed validation; the caller knows which flag or question it came from. */
export class ValidationError extends Error {
  constructor(
    message: string,
    /** One line per value, when several failed at once. */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

/**
 * Collects the failures of independent checks, so that a pipeline with several wrong values learns of all of
 * them in one run rather than one per run; and the required values nobody gave where nobody can be asked, so that
 * those are listed with them, not only once every given value is fixed.
 */
export class ValidationProblems {
  private readonly problems: string[] = [];
  private readonly missing: string[] = [];
  private missingWhy = '';

  note(problem: string): void {
    this.problems.push(problem);
  }

  /** A required value that was not given and cannot be asked for; `why` says why it is not asked (`--yes cannot default`). */
  noteMissing(value: string, why: string): void {
    this.missing.push(value);
    this.missingWhy = why;
  }

  /** Runs `check`; its ValidationError is noted (every value it lists) and undefined returned instead. */
  check<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.problems.push(...(error.details.length > 0 ? error.details : [error.message]));
      return undefined;
    }
  }

  /**
   * Throws what was noted: one failure as it was, several as their count with one line each; missing values alone
   * in one line that names them all, and with failures as lines of their own (`missing: --pattern <ids> …`) after them.
   */
  throwIfAny(): void {
    const { problems, missing } = this;
    if (missing.length > 0) {
      if (problems.length === 0) throw new ValidationError(`missing required values (${this.missingWhy}): ${missing.join(', ')}`);
      const heading = `${counted(problems.length, 'given value is invalid', 'given values are invalid')} and ${counted(missing.length, 'required value is missing', 'required values are missing')}`;
      throw new ValidationError(`${heading} (${this.missingWhy}):`, [...problems, ...missing.map((value) => `missing: ${value}`)]);
    }
    if (problems.length === 1) throw new ValidationError(problems[0]!);
    if (problems.length > 1) throw new ValidationError(`${problems.length} given values are invalid:`, problems);
  }
}

function counted(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Runs a parse and prefixes its validation failure with the flag or answer the value came from. */
export function labelled<T>(label: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(`${label}: ${error.message}`);
    throw error;
  }
}
