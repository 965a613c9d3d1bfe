package metrics

// RateCardValue is what hours of availability could have earned at the
// item's own rates: whole days at the day rate when there is one, else
// hours at the hour rate, else weeks at the week rate (0 without rates).
// Revenue divided by it is utilization by revenue: 1 means every available
// hour was rented at list price.
func RateCardValue(hoursAvailable float64, rateHour, rateDay, rateWeek *int64) float64 {
	switch {
	case rateDay != nil:
		return hoursAvailable / 24 * float64(*rateDay)
	case rateHour != nil:
		return hoursAvailable * float64(*rateHour)
	case rateWeek != nil:
		return hoursAvailable / 168 * float64(*rateWeek)
	}
	return 0
}
