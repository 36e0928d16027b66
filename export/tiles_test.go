package export

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseExportFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    string
		wantErr string // empty for success
		check   func(t *testing.T, cfg exportConfig)
	}{
		{"base map", "--layer basemap --maxzoom 3 out", "", func(t *testing.T, cfg exportConfig) {
			if cfg.layer != "basemap" || cfg.minZoom != 0 || cfg.maxZoom != 3 || cfg.scale != 1 || cfg.outDir != "out" || cfg.workers < 1 {
				t.Errorf("%+v", cfg)
			}
		}},
		{"base map @2x from zoom 2", "--layer basemap --minzoom 2 --maxzoom 10 --scale 2 out", "", func(t *testing.T, cfg exportConfig) {
			if cfg.minZoom != 2 || cfg.maxZoom != 10 || cfg.scale != 2 {
				t.Errorf("%+v", cfg)
			}
		}},
		{"dark base map @2x", "--layer basemap-dark --maxzoom 4 --scale 2 out", "", func(t *testing.T, cfg exportConfig) {
			if cfg.layer != "basemap-dark" || cfg.maxZoom != 4 || cfg.scale != 2 {
				t.Errorf("%+v", cfg)
			}
		}},
		{"dark base map too deep", "--layer basemap-dark --maxzoom 11 out", "beyond the basemap-dark layer's maximum, 10", nil},
		{"sites with filters", "--layer sites --maxzoom 18 --at 2018-09-01 --status active,closed --country hk,cn --provider alibaba-cloud --q hong out", "", func(t *testing.T, cfg exportConfig) {
			want := "at=2018-09-01&country=hk%2Ccn&provider=alibaba-cloud&q=hong&status=active%2Cclosed"
			if got := cfg.sites.Encode(); got != want {
				t.Errorf("site filters %s, want %s", got, want)
			}
		}},
		{"no layer", "--maxzoom 3 out", "--layer is required", nil},
		{"unknown layer", "--layer roads --maxzoom 3 out", `unknown --layer "roads"`, nil},
		{"no maxzoom", "--layer basemap out", "--maxzoom is required", nil},
		{"base map too deep", "--layer basemap --maxzoom 11 out", "beyond the basemap layer's maximum, 10", nil},
		{"sites too deep", "--layer sites --maxzoom 19 out", "beyond the sites layer's maximum, 18", nil},
		{"minzoom above maxzoom", "--layer basemap --minzoom 4 --maxzoom 3 out", "--minzoom 4", nil},
		{"scale 3", "--layer basemap --maxzoom 3 --scale 3 out", "--scale 3", nil},
		{"scale of vector tiles", "--layer sites --maxzoom 3 --scale 2 out", "--scale applies to the basemap and basemap-dark layers only", nil},
		{"date on the base map", "--layer basemap --maxzoom 3 --at 2018-01-01 out", "--at applies to the sites layer only", nil},
		{"no workers", "--layer sites --maxzoom 3 --workers 0 out", "--workers 0", nil},
		{"no directory", "--layer sites --maxzoom 3", "want one output directory", nil},
		{"two directories", "--layer sites --maxzoom 3 a b", "want one output directory", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			cfg, err := parseExportFlags(strings.Fields(tt.args), &stderr)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want one saying %q", err, tt.wantErr)
			case tt.check != nil:
				tt.check(t, cfg)
			}
		})
	}
}

func TestProgressPlain(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, 20)
	for range 20 {
		p.add(1)
		p.draw(false)
	}
	p.finish()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 10 || lines[0] != "2/20 tiles (10%)" || lines[9] != "20/20 tiles (100%)" || strings.Contains(buf.String(), "\r") {
		t.Errorf("progress written as %q", buf.String())
	}
}
