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
 * them in one run rather than one per run.
 */
export class ValidationProblems {
  private readonly problems: string[] = [];

  note(problem: string): void {
    this.problems.push(problem);
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

  /** Throws what was noted: one failure as it was, several as their count with one line each. */
  throwIfAny(): void {
    if (this.problems.length === 1) throw new ValidationError(this.problems[0]!);
    if (this.problems.length > 1) throw new ValidationError(`${this.problems.length} given values are invalid:`, this.problems);
  }
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
