package web

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestStatusVectors runs web/status.test.mjs with Node: the viewer's status rule against the shared
// vectors in geo/testdata/status.json, the file geo's tests read.
func TestStatusVectors(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if node, err = exec.LookPath("nodejs"); err != nil {
			t.Skip("node is not installed (Debian package nodejs): the shared status vectors are not run against web/status.js")
		}
	}
	// Read what node reads, so that go test's cache sees a change to any of them.
	for _, f := range []string{"status.js", "status.test.mjs", "../geo/testdata/status.json"} {
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "--test", "status.test.mjs").CombinedOutput()
	if err != nil {
		t.Fatalf("node --test status.test.mjs: %v\n%s", err, out)
	}
}
