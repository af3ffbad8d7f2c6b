/** A JSON value as produced by `JSON.parse`. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** One EPCIS 2.0 event in its JSON / JSON-LD form (ObjectEvent, AggregationEvent, ...). */
export type EpcisEvent = JsonObject;

/** An EPCIS 2.0 capture document or query document in its JSON / JSON-LD form. */
export type EpcisDocument = JsonObject;

/** A JSON-LD `@context` value: an IRI, an inline context object, or a list of both. */
export type JsonLdContext = JsonValue | undefined;

/** Maps a CURIE prefix (`gs1`, `example`) to the namespace IRI it stands for. */
export type PrefixMap = ReadonlyMap<string, string>;

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
