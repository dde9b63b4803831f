/** Where components report what they do. The CLI's logger writes to stderr; tests collect lines. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}
