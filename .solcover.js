// solidity-coverage settings: mocks are test-only, and timing-sensitive gas checks skip themselves.
module.exports = {
  skipFiles: ["mocks/"],
};
