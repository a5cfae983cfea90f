// Package bench holds comparisons of gorails against other Go frameworks and
// libraries (chi, GORM, River, ...). It is its own module so that their
// dependencies never enter the framework's go.mod. Run with `make bench`.
package bench
