package store_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rentdesk/rentdesk/internal/catalog"
	"github.com/rentdesk/rentdesk/internal/store"
)

func TestUnits(t *testing.T) {
	s := newShop(t)
	taken, err := s.st.TakenAssetTags(s.ctx, []string{"R6-002", "R6-009"})
	if err != nil || len(taken) != 1 || taken[0] != "R6-002" {
		t.Fatalf("taken: %v %v", taken, err)
	}
	if _, err := s.st.CreateUnits(s.ctx, s.r6.ID, s.berlin.ID, []string{"R6-003", "R6-001"}, ""); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("dup tag: %v", err)
	}
	us, err := s.st.ListUnits(s.ctx, s.r6.ID)
	if err != nil || len(us) != 2 || us[0].LocationName != "Berlin" || us[0].AssetTag != "R6-001" {
		t.Fatalf("list (no partial insert): %+v %v", us, err)
	}
	u := us[0].Unit
	u.LocationID, u.Status, u.SerialNumber = s.sf.ID, catalog.UnitRetired, "SN1"
	err = s.st.WithTx(s.ctx, func(tx *store.Store) error { _, err := tx.UpdateUnit(s.ctx, u); return err })
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.st.GetUnitByTag(s.ctx, "R6-001")
	if err != nil || got.LocationID != s.sf.ID || got.Status != catalog.UnitRetired || got.SerialNumber != "SN1" {
		t.Fatalf("moved and retired: %+v %v", got, err)
	}
	if _, err := s.st.GetUnit(s.ctx, got.ID); err != nil {
		t.Fatal(err)
	}
	u.Status = "stolen"
	if _, err := s.st.UpdateUnit(s.ctx, u); err == nil {
		t.Fatal("bad status accepted by the database")
	}
	ex, err := s.st.ExportUnits(s.ctx, 0, 1)
	if err != nil || len(ex) != 1 || ex[0].ItemSlug != "canon-r6" {
		t.Fatalf("export page: %+v %v", ex, err)
	}
	if ex, _ = s.st.ExportUnits(s.ctx, ex[0].ID, 10); len(ex) != 1 {
		t.Fatalf("export next page: %d", len(ex))
	}
}

func TestBulkStock(t *testing.T) {
	s := newShop(t)
	if err := s.st.SetBulkStock(s.ctx, s.tripod.ID, map[int64]int{s.berlin.ID: 4}); err != nil {
		t.Fatal(err)
	}
	if err := s.st.SetBulkStock(s.ctx, s.tripod.ID, map[int64]int{s.berlin.ID: 6, s.sf.ID: 0}); err != nil {
		t.Fatal(err)
	}
	rows, err := s.st.ListBulkStock(s.ctx, s.tripod.ID)
	if err != nil || len(rows) != 2 || rows[0].Quantity != 6 || rows[1].Quantity != 0 {
		t.Fatalf("stock: %+v %v", rows, err)
	}
	if err := s.st.SetBulkStock(s.ctx, s.tripod.ID, map[int64]int{s.berlin.ID: -1}); err == nil {
		t.Fatal("negative stock accepted")
	}
}

func TestPhotos(t *testing.T) {
	s := newShop(t)
	var ids []int64
	for i := 0; i < 3; i++ {
		m, err := s.st.AddPhoto(s.ctx, s.r6.ID, catalog.Photo{ContentType: "image/jpeg", Data: []byte(fmt.Sprint("photo", i)), Thumbnail: []byte("t")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	order := func() string {
		ps, err := s.st.ListPhotos(s.ctx, s.r6.ID)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, p := range ps {
			for j, id := range ids {
				if id == p.ID {
					fmt.Fprint(&b, j)
				}
			}
		}
		return b.String()
	}
	if _, err := s.st.MovePhoto(s.ctx, ids[2], -1); err != nil {
		t.Fatal(err)
	}
	if o := order(); o != "021" {
		t.Fatalf("after moving last up: %s", o)
	}
	s.st.MovePhoto(s.ctx, ids[0], 1)
	if o := order(); o != "201" {
		t.Fatalf("after moving first down: %s", o)
	}
	s.st.MovePhoto(s.ctx, ids[1], 1) // already last
	if o := order(); o != "201" {
		t.Fatalf("moving the last down: %s", o)
	}
	d, err := s.st.GetPhoto(s.ctx, ids[0], false)
	if err != nil || string(d.Data) != "photo0" || !d.Public || d.ContentType != "image/jpeg" {
		t.Fatalf("get: %+v %v", d, err)
	}
	if th, _ := s.st.GetPhoto(s.ctx, ids[0], true); string(th.Data) != "t" {
		t.Fatal("thumbnail")
	}
	s.st.SetItemArchived(s.ctx, s.r6.ID, true, time.Now())
	if d, _ := s.st.GetPhoto(s.ctx, ids[0], false); d.Public {
		t.Fatal("photo of an archived item is public")
	}
	if m, err := s.st.DeletePhoto(s.ctx, ids[1]); err != nil || m.ItemID != s.r6.ID {
		t.Fatalf("delete: %v", err)
	}
	if _, err := s.st.GetPhotoMeta(s.ctx, ids[1]); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted photo: %v", err)
	}
}
