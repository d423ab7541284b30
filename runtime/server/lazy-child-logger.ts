/**
 * Fastify gives every request a pino child logger bound to its request id; making one costs about a
 * microsecond (pino serialises the bindings), and most requests never log (issue 8 profile). This
 * child is made on the first call that logs, with the same bindings and options, so a line that is
 * written still carries its `reqId`.
 */
import type { FastifyBaseLogger } from 'fastify';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];
type LogArguments = Parameters<FastifyBaseLogger['info']>;

class LazyChildLogger {
  #child: FastifyBaseLogger | undefined;

  constructor(private readonly parent: FastifyBaseLogger, private readonly bindings: Bindings, private readonly options: ChildOptions) {}

  get level(): string {
    // A route's `logLevel` arrives in the child options.
    return this.#child?.level ?? this.options?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.made().level = level;
  }

  info(...args: LogArguments): void { this.made().info(...args); }
  error(...args: LogArguments): void { this.made().error(...args); }
  debug(...args: LogArguments): void { this.made().debug(...args); }
  fatal(...args: LogArguments): void { this.made().fatal(...args); }
  warn(...args: LogArguments): void { this.made().warn(...args); }
  trace(...args: LogArguments): void { this.made().trace(...args); }
  silent(...args: LogArguments): void { this.made().silent(...args); }

  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.made().child(bindings, options);
  }

  private made(): FastifyBaseLogger {
    this.#child ??= this.parent.child(this.bindings, this.options);
    return this.#child;
  }
}

/** Fastify's `childLoggerFactory`: the request's logger, made when first used. */
export function lazyChildLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildOptions): FastifyBaseLogger {
  // pino's LogFn is an overloaded signature a class method cannot restate; every call forwards as is.
  return new LazyChildLogger(logger, bindings, options) as unknown as FastifyBaseLogger;
}
