/**
 * Errors that end a command with exit 2 (usage or I/O), printed as one line without a stack trace
 * unless AIGW_DEBUG=1.
 */

export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

export class InputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputError';
  }
}
