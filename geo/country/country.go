// Package country holds the ISO 3166-1 country table: alpha-2, alpha-3 and
// numeric codes with a common English name, generated from Debian's iso-codes.
//
// Only officially assigned ISO 3166-1 entries are present; user-assigned codes
// such as "XK" (Kosovo) are not.
package country

import "sort"

//go:generate go run gen.go

// Country is one ISO 3166-1 entry.
type Country struct {
	// Alpha2 is the two-letter upper-case code, e.g. "AU".
	Alpha2 string
	// Alpha3 is the three-letter upper-case code, e.g. "AUS".
	Alpha3 string
	// Numeric is the three-digit, zero-padded numeric code, e.g. "036".
	Numeric string
	// Name is the common English short name, e.g. "Australia"
	// ("South Korea" rather than "Korea, Republic of").
	Name string
}

// Lookup returns the country with the given alpha-2 code. The code must be
// exactly two upper-case letters as in ISO 3166-1; "au" is not found.
func Lookup(alpha2 string) (Country, bool) {
	i := sort.Search(len(table), func(i int) bool { return table[i].Alpha2 >= alpha2 })
	if i < len(table) && table[i].Alpha2 == alpha2 {
		return table[i], true
	}
	return Country{}, false
}

// ByNumeric returns the country with the given ISO 3166-1 numeric code.
// It accepts the zero-padded form ("036") and the unpadded one ("36");
// anything but one to three ASCII digits is not found.
func ByNumeric(numeric string) (Country, bool) {
	if len(numeric) == 0 || len(numeric) > 3 {
		return Country{}, false
	}
	for _, c := range numeric {
		if c < '0' || c > '9' {
			return Country{}, false
		}
	}
	padded := "000"[len(numeric):] + numeric
	for _, c := range table {
		if c.Numeric == padded {
			return c, true
		}
	}
	return Country{}, false
}

// All returns every ISO 3166-1 entry, sorted by alpha-2 code.
// The slice is a fresh copy the caller may modify.
func All() []Country {
	out := make([]Country, len(table))
	copy(out, table[:])
	return out
}
