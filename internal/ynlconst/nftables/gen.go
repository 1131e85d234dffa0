package nftables

//go:generate go run -C ../../cmd/ynlgen . -consts -spec nftables.yaml -pkg nftables -o $PWD/znftables.go
