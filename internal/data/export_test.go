package data

// Exported for the tests in package data_test.
const GoMNISTVersion = goMNISTVersion

var EscapeModule = escapeModule
