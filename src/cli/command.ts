import type { CommandSpec, Parsed } from "./args";

/** Streams a command talks through (the process's, or test doubles). */
export interface CliIO {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** One `bert-lab` command. `run` resolves to the exit code. */
export interface Command {
  spec: CommandSpec;
  run(args: Parsed, io: CliIO): Promise<number>;
}

/** Writes text and waits when the stream asks us to (large outputs into a slow pipe). */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> | void {
  if (!stream.write(text)) return new Promise((resolve) => stream.once("drain", () => resolve()));
}
