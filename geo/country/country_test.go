package country

import (
	"fmt"
	"testing"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		name   string
		alpha2 string
		want   Country
		ok     bool
	}{
		{"china", "CN", Country{"CN", "CHN", "156", "China"}, true},
		{"hong kong", "HK", Country{"HK", "HKG", "344", "Hong Kong"}, true},
		{"united states", "US", Country{"US", "USA", "840", "United States"}, true},
		{"emirates", "AE", Country{"AE", "ARE", "784", "United Arab Emirates"}, true},
		{"common name preferred", "KR", Country{"KR", "KOR", "410", "South Korea"}, true},
		{"first entry", "AD", Country{"AD", "AND", "020", "Andorra"}, true},
		{"last entry", "ZW", Country{"ZW", "ZWE", "716", "Zimbabwe"}, true},
		{"lowercase rejected", "cn", Country{}, false},
		{"mixed case rejected", "Cn", Country{}, false},
		{"user-assigned kosovo", "XK", Country{}, false},
		{"unassigned", "ZZ", Country{}, false},
		{"alpha-3 rejected", "CHN", Country{}, false},
		{"empty", "", Country{}, false},
		{"padded", " CN", Country{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Lookup(tt.alpha2)
			if got != tt.want || ok != tt.ok {
				t.Errorf("Lookup(%q) = %+v, %v; want %+v, %v", tt.alpha2, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestByNumeric(t *testing.T) {
	tests := []struct {
		name    string
		numeric string
		want    string // alpha-2, "" when not found
	}{
		{"australia padded", "036", "AU"},
		{"australia unpadded", "36", "AU"},
		{"afghanistan", "004", "AF"},
		{"afghanistan single digit", "4", "AF"},
		{"afghanistan two digits", "04", "AF"},
		{"china", "156", "CN"},
		{"hong kong", "344", "HK"},
		{"taiwan", "158", "TW"},
		{"united states", "840", "US"},
		{"emirates", "784", "AE"},
		{"france", "250", "FR"},
		{"unassigned", "999", ""},
		{"zero", "0", ""},
		{"too long", "0036", ""},
		{"empty", "", ""},
		{"sign", "+36", ""},
		{"letters", "AU", ""},
		{"space", " 36", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := ByNumeric(tt.numeric)
			if got := c.Alpha2; got != tt.want || ok != (tt.want != "") {
				t.Errorf("ByNumeric(%q) = %q, %v; want %q", tt.numeric, got, ok, tt.want)
			}
		})
	}
}

func TestTable(t *testing.T) {
	all := All()
	if got, want := len(all), 249; got != want {
		t.Errorf("len(All()) = %d, want %d", got, want)
	}
	for i, c := range all {
		if i > 0 && all[i-1].Alpha2 >= c.Alpha2 {
			t.Errorf("table not sorted at %d: %q >= %q", i, all[i-1].Alpha2, c.Alpha2)
		}
		if got, ok := Lookup(c.Alpha2); !ok || got != c {
			t.Errorf("Lookup(%q) = %+v, %v", c.Alpha2, got, ok)
		}
		if got, ok := ByNumeric(c.Numeric); !ok || got != c {
			t.Errorf("ByNumeric(%q) = %+v, %v", c.Numeric, got, ok)
		}
	}
	all[0].Name = "changed"
	if got, _ := Lookup(all[0].Alpha2); got.Name == "changed" {
		t.Error("All returned the package table, not a copy")
	}
}

func ExampleByNumeric() {
	c, _ := ByNumeric("36")
	fmt.Println(c.Alpha2, c.Alpha3, c.Name)
	// Output: AU AUS Australia
}
