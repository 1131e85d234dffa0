package rtaddr

//go:generate go run -C ../../cmd/ynlgen . -consts -spec rt-addr.yaml -pkg rtaddr -o $PWD/zrtaddr.go
