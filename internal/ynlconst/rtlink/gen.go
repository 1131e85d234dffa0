package rtlink

//go:generate go run -C ../../cmd/ynlgen . -consts -spec rt-link.yaml -pkg rtlink -o $PWD/zrtlink.go
