package rtneigh

//go:generate go run -C ../../cmd/ynlgen . -consts -spec rt-neigh.yaml -pkg rtneigh -o $PWD/zrtneigh.go
