package conntrack

//go:generate go run -C ../../cmd/ynlgen . -consts -spec conntrack.yaml -pkg conntrack -o $PWD/zconntrack.go
