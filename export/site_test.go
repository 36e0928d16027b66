package export

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestSiteFlags checks that export site refuses bad flags, naming the flag, before it exports.
func TestSiteFlags(t *testing.T) {
	tests := []struct{ args, wantErr string }{
		{"--snapshots weekly out", `--snapshots "weekly": want monthly, yearly or today`},
		{"--snapshots Yearly out", `--snapshots "Yearly"`},
		{"--snapshots= out", `--snapshots ""`},
		{"--basemap jpeg out", `--basemap "jpeg"`},
		{"--basemap-maxzoom 11 out", "--basemap-maxzoom 11"},
		{"--workers 0 out", "--workers"},
		{"--snapshots yearly", "want one output directory"},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := Site(context.Background(), append([]string{"site"}, strings.Fields(tt.args)...), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
			}
			if stdout.Len() > 0 {
				t.Errorf("it wrote %q", stdout.String())
			}
		})
	}
}
