# telegraf-mip: build, test, lint.
SHELL := /bin/bash
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
TELEGRAF_VERSION := v1.37.2
TELEGRAF_TAGS := custom,inputs.execd,outputs.file,outputs.influxdb,outputs.opentelemetry
STATICCHECK_VERSION := v0.8.2
CACHE_BIN := $(CURDIR)/.cache/bin

.PHONY: build test fuzz lint telegraf demo dist bench scale

build:
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o telegraf-mip ./cmd/telegraf-mip

## test: every test, end-to-end ones included (they run a real Telegraf,
## built into .cache/bin on first use, and a real InfluxDB). The whole
## verbose output is kept in .cache/test.log and must hold neither the tests'
## API keys (they all contain the marker below) nor a skipped test.
TEST_KEY_MARKER := s3cr3t-mip-k3y
test: telegraf
	@mkdir -p .cache
	set -o pipefail; TELEGRAF_BIN=$(CACHE_BIN)/telegraf go test -race -count=1 -v -timeout 20m ./... 2>&1 \
	  | tee .cache/test.log | grep -vE '^(=== (RUN|PAUSE|CONT|NAME)|\s*--- PASS)'
	@if grep -n -F '$(TEST_KEY_MARKER)' .cache/test.log; then echo "FAIL: a test API key appears in the test output above"; exit 1; fi
	@if grep -n -E -- '--- SKIP' .cache/test.log; then echo "FAIL: tests were skipped"; exit 1; fi
	@echo "test output checked: no API key, no skipped test"

## fuzz: each fuzz target for FUZZTIME.
FUZZTIME ?= 20s
fuzz:
	go test -run '^$$' -fuzz '^FuzzGatherResponse$$' -fuzztime $(FUZZTIME) ./plugins/inputs/mip
	go test -run '^$$' -fuzz '^FuzzParseRunTime$$' -fuzztime $(FUZZTIME) ./plugins/inputs/mip

lint:
	test -z "$$(gofmt -l .)" || (gofmt -l . && false)
	go vet ./...
	GOBIN=$(CACHE_BIN) go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(CACHE_BIN)/staticcheck ./...

telegraf: $(CACHE_BIN)/telegraf

$(CACHE_BIN)/telegraf:
	GOBIN=$(CACHE_BIN) go install -tags "$(TELEGRAF_TAGS)" github.com/influxdata/telegraf/cmd/telegraf@$(TELEGRAF_VERSION)

demo:
	go run ./cmd/telegraf-mip -demo

## dist: static binaries for linux/amd64 and linux/arm64, each in a tarball
## with sample.conf, the Grafana dashboard, README and LICENSE.
DIST_ARCHS := amd64 arm64
dist:
	rm -rf dist
	set -e; for arch in $(DIST_ARCHS); do \
	  name=telegraf-mip-$(VERSION)-linux-$$arch; \
	  mkdir -p dist/$$name; \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$$arch go build -trimpath -ldflags "$(LDFLAGS)" -o dist/$$name/telegraf-mip ./cmd/telegraf-mip; \
	  cp sample.conf README.md LICENSE dashboards/mip-grafana.json dist/$$name/; \
	  tar -C dist -czf dist/$$name.tar.gz $$name; \
	done
	ls -l dist/*.tar.gz

## bench: the decoding benchmarks with their two baselines (json.Valid and
## Unmarshal into maps); BENCH10K=1 adds 10,000 scenarios (about 130 MB).
bench:
	go test -run '^$$' -bench 'DecodeAndConvert|JSONValid|UnmarshalMaps' -benchmem -benchtime 3x -count 3 ./plugins/inputs/mip/ $(if $(BENCH10K),-args -bench10k)
	go test -run '^$$' -bench 'WritePoints' -benchmem ./cmd/telegraf-mip/

## scale: telegraf-mip -once against the simulator at SCENARIOS × 60 runs,
## with wall time, CPU time and peak RSS.
SCENARIOS ?= 10000
scale:
	scripts/scale.sh $(SCENARIOS)
