/**
 * The one error type of the SDK's input boundary.
 *
 * Every validator in `inputs.ts` and `ivms101.ts` throws an `InputError` that names the field it
 * was checking (a parameter name or a JSON path), what is wrong with the value, and the form it
 * expected, so a task can print `err.message` as is and the user knows what to fix.
 */
export class InputError extends Error {
  override readonly name = "InputError";

  /**
   * @param field    the parameter name or JSON path of the bad value, e.g. `amount` or
   *                 `$.originator.accountNumber[0]`
   * @param problem  what is wrong, e.g. `"12.3456789" has more than 6 decimals`
   * @param expected the accepted form, e.g. `a dollar amount like "1250.75"`
   */
  constructor(
    readonly field: string,
    readonly problem: string,
    readonly expected: string,
  ) {
    super(`${field}: ${problem}; expected ${expected}`);
  }
}

const MAX_SHOWN = 80;

/**
 * Renders an outside value for an error message: strings JSON-quoted (so whitespace and control
 * characters show) and cut at 80 characters; other values by their type.
 */
export function describeValue(value: unknown): string {
  if (typeof value === "string") {
    const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}...` : value;
    return JSON.stringify(shown);
  }
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  if (typeof value === "bigint") return `bigint ${value.toString()}`;
  return typeof value === "object" ? "an object" : typeof value;
}
