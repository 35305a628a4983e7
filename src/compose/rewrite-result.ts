/** A rewrite's outcome: the new text (the same text when nothing changed) and what to tell the user. */
export interface RewriteResult {
  readonly text: string;
  readonly changed: boolean;
  /** The balancer service added, removed, or found already there. */
  readonly balancer: string;
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

/** A result that leaves the file as it is. */
export function unchanged(source: string, balancer: string, note: string): RewriteResult {
  return { text: source, changed: false, balancer, notes: [note], warnings: [] };
}
