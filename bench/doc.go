// Package bench holds comparisons of gorails against other Go frameworks and
// libraries (chi, GORM, River, gin, ...). It is its own module so that their
// dependencies never enter the framework's go.mod. Run the micro-benchmarks
// with `make bench` and the whole-app blog benchmark (bench/blog) with
// `make bench-blog`; docs/performance.md has its figures.
package bench
