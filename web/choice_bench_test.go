package web

import (
	"testing"
	"time"

	"github.com/gorilla/securecookie"
)

// BenchmarkOpenChoice reads the chosen dates' cookie, as every page of a
// visitor with dates does: securecookie's JSONEncoder against choiceJSON.
func BenchmarkOpenChoice(b *testing.B) {
	key := make([]byte, 32)
	for _, ser := range []struct {
		name string
		s    securecookie.Serializer
	}{{"json-decoder", securecookie.JSONEncoder{}}, {"choice-json", choiceJSON{}}} {
		codec := securecookie.New(key, nil)
		codec.SetSerializer(ser.s)
		codec.MaxAge(0)
		now := time.Now()
		v, err := sealChoice(codec, signedChoice{bookChoice: bookChoice{LocationID: 3, Start: now, End: now.Add(72 * time.Hour)}, Made: now.Unix(), Seen: now.Unix()})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(ser.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := openChoice(codec, v); !ok {
					b.Fatal("not opened")
				}
			}
		})
	}
}
