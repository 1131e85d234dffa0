//go:build race

package conntrack_test

func init() { raceEnabled = true }
