module.exports = {
  skipFiles: ["mocks/"],
  mocha: { grep: "@bench", invert: true },
};
