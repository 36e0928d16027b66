package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestNodeSuites runs the viewer's pure modules' tests with Node (node --test web/*.test.mjs):
// status.test.mjs holds web/status.js to the shared status vectors in geo/testdata/status.json,
// the file geo's tests read; layout.test.mjs checks that symbols and labels never overlap;
// derive.test.mjs checks the provider legend's counts and the race on a small history.
func TestNodeSuites(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if node, err = exec.LookPath("nodejs"); err != nil {
			t.Skip("node is not installed (Debian package nodejs): the shared status vectors are not run against web/status.js")
		}
	}
	suites, err := filepath.Glob("*.test.mjs")
	if err != nil || len(suites) == 0 {
		t.Fatalf("no *.test.mjs: %v", err)
	}
	// Read what node reads, so that go test's cache sees a change to any of them.
	read := append([]string{"../geo/testdata/status.json"}, suites...)
	if js, err := filepath.Glob("*.js"); err == nil {
		read = append(read, js...)
	}
	for _, f := range read {
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, append([]string{"--test"}, suites...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("node --test: %v\n%s", err, out)
	}
}
