/**
 * JSON from outside, read strictly.
 *
 * `JSON.parse` quietly keeps the last of two equal keys, turns `1e400` into Infinity and rounds whole
 * numbers beyond 2^53: a mapping could then name one party twice, and a document could hash and sign as
 * something other than what its author wrote. `parseJsonStrict` refuses all three, naming the JSON path;
 * `readJsonFile` adds the file's existence and syntax, as one `InputError` for a task to print.
 */
import { existsSync, readFileSync, statSync } from "node:fs";

import { describeValue, InputError } from "./errors";

type Frame =
  { kind: "object"; path: string; keys: Set<string>; key?: string } | { kind: "array"; path: string; index: number };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\]|\\.)*"/y;

/** `$.a.b[2]`, with keys that are not plain identifiers written `["..."]`. */
function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function checkNumber(text: string, path: string): void {
  const value = Number(text);
  if (!Number.isFinite(value)) {
    throw new InputError(path, `number ${text} is beyond the range of a double`, "a finite number");
  }
  // A whole number written out in full must come back as written: exactly (10^21), or as the shortest digits
  // of its double (182629984739968200, as JSON.stringify writes it). 12345678901234567890 would become ...7000.
  if (!/[.eE]/.test(text) && String(value) !== text && BigInt(text) !== BigInt(value)) {
    throw new InputError(
      path,
      `whole number ${text} would be read as ${String(value)}`,
      "a whole number a double holds exactly, e.g. within ±(2^53 - 1)",
    );
  }
}

/**
 * Walks text that JSON.parse accepted and refuses duplicate keys (compared after unescaping) and numbers
 * that JSON.parse would not keep as written.
 */
function checkStrict(text: string, root: string): void {
  const stack: Frame[] = [];
  const valuePath = (): string => {
    const top = stack.at(-1);
    if (top === undefined) return root;
    if (top.kind === "array") return `${top.path}[${top.index}]`;
    return childPath(top.path, top.key ?? "");
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "{" || c === "[") {
      const path = valuePath();
      stack.push(c === "{" ? { kind: "object", path, keys: new Set() } : { kind: "array", path, index: 0 });
      i += 1;
    } else if (c === "}" || c === "]") {
      stack.pop();
      i += 1;
    } else if (c === ",") {
      const top = stack.at(-1);
      if (top?.kind === "array") top.index += 1;
      else if (top?.kind === "object") top.key = undefined;
      i += 1;
    } else if (c === '"') {
      STRING.lastIndex = i;
      const token = STRING.exec(text)?.[0] ?? "";
      i += token.length;
      const top = stack.at(-1);
      if (top?.kind === "object" && top.key === undefined) {
        const key = JSON.parse(token) as string;
        if (top.keys.has(key)) {
          throw new InputError(top.path, `names the key ${describeValue(key)} twice`, "each key once in an object");
        }
        top.keys.add(key);
        top.key = key;
      }
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      NUMBER.lastIndex = i;
      const token = NUMBER.exec(text)?.[0] ?? c;
      checkNumber(token, valuePath());
      i += token.length;
    } else {
      // Whitespace, ':', and the letters of true, false and null.
      i += 1;
    }
  }
}

/** JSON.parse, refusing duplicate keys, numbers beyond a double and whole numbers it would round. */
export function parseJsonStrict(text: string, root = "$"): unknown {
  const value: unknown = JSON.parse(text);
  checkStrict(text, root);
  return value;
}

/**
 * Reads the JSON file `path` named by the parameter `field`. Throws an InputError naming the parameter
 * when the file is missing, is not a file, is not JSON, or breaks a rule of `parseJsonStrict` (the latter
 * naming the file and the JSON path).
 */
export function readJsonFile(field: string, path: string, expected: string): unknown {
  if (!existsSync(path)) throw new InputError(field, `${describeValue(path)} does not exist`, expected);
  if (!statSync(path).isFile()) throw new InputError(field, `${describeValue(path)} is not a file`, expected);
  const text = readFileSync(path, "utf8");
  try {
    return parseJsonStrict(text, `${field} ${path}: $`);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(field, `${describeValue(path)} is not JSON (${reason})`, expected);
  }
}
