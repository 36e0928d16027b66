package geo

import "testing"

// TestKindMeaning checks that every kind says what it means, each differently.
func TestKindMeaning(t *testing.T) {
	seen := map[string]Kind{}
	for _, k := range Kinds() {
		m := k.Meaning()
		if m == "" {
			t.Errorf("kind %s has no meaning", k)
		}
		if other, ok := seen[m]; ok {
			t.Errorf("kinds %s and %s both mean %q", other, k, m)
		}
		seen[m] = k
	}
	if m := Kind("bunker").Meaning(); m != "" {
		t.Errorf("an unknown kind means %q", m)
	}
}
