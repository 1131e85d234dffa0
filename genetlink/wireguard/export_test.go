package wireguard

// The helpers the external kernel tests share with the unit tests.
var (
	TestBigConfig   = bigConfig
	TestCheckDevice = checkDevice
)
