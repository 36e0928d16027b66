package data

import "testing"

// testAtlas is the locator the tests validate with: the built-in Natural Earth base map, decoded
// afresh for each caller (about 0.1 s).
func testAtlas(t testing.TB) Locator {
	t.Helper()
	a, err := Atlas()
	if err != nil {
		t.Fatal(err)
	}
	return a
}
