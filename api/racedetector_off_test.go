//go:build !race

package api

// raceDetector says the tests run with -race, whose instrumentation allocates on its own.
const raceDetector = false
