package zones

// Defaults of a zone file, used when it leaves a key out: the zone's TTL,
// the [soa] fields, a [gslb.NAME] table's TTL and a pool's up_fraction.
const (
	DefaultZoneTTL     = 3600    // 1h
	DefaultRefresh     = 3600    // 1h
	DefaultRetry       = 900     // 15m
	DefaultExpire      = 1209600 // 2w
	DefaultNegativeTTL = 300     // 5m
	DefaultGSLBTTL     = 30      // 30s
	DefaultUpFraction  = 0.5
)
