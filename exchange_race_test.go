//go:build race

package netlink_test

func init() { raceEnabled = true }
