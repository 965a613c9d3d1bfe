package fpdf

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// probedIndex is put(nil, …)'s key as the port first found it: getIndex for
// 0, 1, 2, … until one is not a key.
func probedIndex(pa *untypedKeyMap) int {
	for n := 0; ; n++ {
		if pa.getIndex(n) < 0 {
			return n
		}
	}
}

// TestNextIndexAgreesWithProbing runs random sequences of the operations
// generateCIDFontMap uses (put with and without a key, delete, pop,
// arrayMerge) and checks before every put(nil, …) that nextIndex picks the
// key probing would, and at the end that the maps are the same.
func TestNextIndexAgreesWithProbing(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for seq := range 300 {
		a := &untypedKeyMap{valueSet: []int{}, keySet: []any{}}
		for range rng.IntN(300) {
			switch op := rng.IntN(10); {
			case op < 5:
				if got, want := a.nextIndex(), probedIndex(a); got != want {
					t.Fatalf("sequence %d: next index %d, probing %d (keys %v)", seq, got, want, a.keySet)
				}
				a.put(nil, rng.IntN(1000))
			case op == 5:
				a.put("interval", 1)
			case op == 6:
				a.put(rng.IntN(40)-2, rng.IntN(1000)) // a key of its own, holes below it
			case op == 7:
				a.delete([]any{"interval", rng.IntN(40)}[rng.IntN(2)])
			case op == 8 && len(a.keySet) > 0:
				a.pop()
			case op == 9:
				b := &untypedKeyMap{valueSet: []int{}, keySet: []any{}}
				for range rng.IntN(20) {
					b.put([]any{nil, "interval"}[rng.IntN(2)], rng.IntN(1000))
				}
				probed := mergeProbed(a, b)
				a = arrayMerge(a, b)
				if !reflect.DeepEqual(a.keySet, probed.keySet) || !reflect.DeepEqual(a.valueSet, probed.valueSet) {
					t.Fatalf("sequence %d: merged %v %v, probing %v %v", seq, a.keySet, a.valueSet, probed.keySet, probed.valueSet)
				}
			}
		}
	}
}

// mergeProbed is arrayMerge of copies with put(nil, …) probing.
func mergeProbed(arr1, arr2 *untypedKeyMap) *untypedKeyMap {
	answer := &untypedKeyMap{keySet: append([]any{}, arr1.keySet...), valueSet: append([]int{}, arr1.valueSet...)}
	for i := range arr2.keySet {
		if arr2.keySet[i] == "interval" {
			if arr1.getIndex("interval") < 0 {
				answer.put("interval", arr2.valueSet[i])
			}
			continue
		}
		n := probedIndex(answer)
		answer.keySet = append(answer.keySet, n)
		answer.valueSet = append(answer.valueSet, arr2.valueSet[i])
	}
	return answer
}
