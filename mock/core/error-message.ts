/** The message of whatever a `catch` caught: an Error's message, else the value as a string. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
