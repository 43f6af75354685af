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
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
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
