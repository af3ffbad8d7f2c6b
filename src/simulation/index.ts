export * from "./cast";
export * from "./simulate";
export * from "./supplyChain";
