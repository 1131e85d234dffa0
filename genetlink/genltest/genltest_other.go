//go:build !linux

// Package genetlink, which this package fakes, is empty off Linux for now;
// this file keeps genltest, empty too, so that `go vet ./...` and `go build
// ./...` pass there. When genetlink builds everywhere, genltest's files can
// drop their build tags: they use no system package.

package genltest
