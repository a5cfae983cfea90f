# gorails: common tasks. `make demo` and `make test` are the README's two
# set-up commands.

GO      ?= go
BIN     := bin/gorails
DEMO    := tmp/demo/blog
PORT    ?= 3000
PKGS    := ./...

.PHONY: all build test test-race test-short fuzz lint fmt bench bench-blog demo clean

all: build

## build: compile everything and the gorails CLI into bin/gorails
build:
	$(GO) build $(PKGS)
	$(GO) build -o $(BIN) ./cmd/gorails

## test: the whole test suite (unit, database, integration and end-to-end) and the bench module's build
test:
	$(GO) test -count=1 -timeout 30m $(PKGS)
	cd bench && $(GO) vet ./... && $(GO) test -count=1 -run . ./...

## test-race: the test suite under the race detector. The CLI's end-to-end
## tests (cmd/gorails without -short) drive the gorails and app binaries as
## separate processes, where the test's race detector sees nothing; they run
## once, in `make test`, and here only the CLI's in-process tests run.
test-race:
	$(GO) test -race -count=1 -timeout 30m $$($(GO) list $(PKGS) | grep -v '/cmd/gorails$$')
	$(GO) test -race -short -count=1 -timeout 30m ./cmd/gorails

## test-short: the fast tests only (no servers, no end-to-end builds)
test-short:
	$(GO) test -short $(PKGS)

## fuzz: a short fuzzing run of every fuzz target (FUZZTIME each, 10s by
## default; FUZZ_PKGS narrows the packages). `make test` already runs each
## target's seed corpus and testdata/fuzz crashers as ordinary tests.
FUZZTIME  ?= 10s
FUZZ_PKGS ?= ./...
fuzz:
	@set -e; for pkg in $$($(GO) list $(FUZZ_PKGS)); do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$t ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

## lint: gofmt and go vet must be clean
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt: unformatted files:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	cd bench && $(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

## bench: every benchmark with its raw baseline in the same run
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)
	cd bench && $(GO) test -run '^$$' -bench . -benchmem ./...

## bench-blog: the whole-app benchmark (bench/blog): gorails vs plain net/http vs gin
## on SQLite and PostgreSQL; BENCH_BLOG_FLAGS=-quick for a short run (see docs/performance.md)
BENCH_BLOG_FLAGS ?=
bench-blog:
	cd bench && $(GO) run ./blog/cmd/blogbench $(BENCH_BLOG_FLAGS)

## demo: build gorails, generate a demo app in tmp/demo/blog (once) and serve it on PORT
## (DEMO and BIN may be overridden, relative or absolute: TestMakeDemoSurvivesAGoEdit does)
demo: build
	@if [ ! -d $(DEMO) ]; then $(abspath $(BIN)) new $(DEMO); fi
	cd $(DEMO) && $(abspath $(BIN)) server -p $(PORT)

clean:
	rm -rf bin tmp
