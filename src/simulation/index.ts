export * from "./cast";
export * from "./simulate";
