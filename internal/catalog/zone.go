package catalog

import (
	"strings"
	"time"
	// The zone database is compiled in, so a location's zone loads the same on
	// a minimal container without /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Zones is the list the location form offers. Any IANA name that loads is
// accepted (CheckZone); the list is just the common ones.
var Zones = []string{
	"Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi",
	"America/Anchorage", "America/Argentina/Buenos_Aires", "America/Bogota", "America/Chicago",
	"America/Denver", "America/Halifax", "America/Los_Angeles", "America/Mexico_City",
	"America/New_York", "America/Phoenix", "America/Santiago", "America/Sao_Paulo",
	"America/St_Johns", "America/Toronto", "America/Vancouver",
	"Asia/Bangkok", "Asia/Dubai", "Asia/Hong_Kong", "Asia/Jakarta", "Asia/Jerusalem",
	"Asia/Kolkata", "Asia/Seoul", "Asia/Shanghai", "Asia/Singapore", "Asia/Tokyo",
	"Atlantic/Reykjavik", "Australia/Adelaide", "Australia/Brisbane", "Australia/Melbourne",
	"Australia/Perth", "Australia/Sydney",
	"Europe/Amsterdam", "Europe/Athens", "Europe/Berlin", "Europe/Brussels", "Europe/Dublin",
	"Europe/Helsinki", "Europe/Istanbul", "Europe/Lisbon", "Europe/London", "Europe/Madrid",
	"Europe/Oslo", "Europe/Paris", "Europe/Prague", "Europe/Rome", "Europe/Stockholm",
	"Europe/Vienna", "Europe/Warsaw", "Europe/Zurich",
	"Pacific/Auckland", "Pacific/Honolulu", "UTC",
}

// CheckZone explains what is wrong with a time-zone name, or returns "". Only
// IANA names are accepted: "Local" would mean the server's zone, which is
// exactly what a location's day arithmetic must never use.
func CheckZone(name string) string {
	if name == "" {
		return "Choose the location's time zone."
	}
	if name == "Local" || strings.HasPrefix(name, "/") || strings.Contains(name, "..") || len(name) > 64 {
		return "Choose an IANA time zone such as Europe/Berlin."
	}
	if _, err := time.LoadLocation(name); err != nil {
		return "Unknown time zone; choose one such as Europe/Berlin."
	}
	return ""
}
