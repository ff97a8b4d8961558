# telegraf-mip: build, test, lint.
SHELL := /bin/bash
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
TELEGRAF_VERSION := v1.37.2
TELEGRAF_TAGS := custom,inputs.execd,inputs.internal,outputs.file,outputs.health,outputs.influxdb,outputs.opentelemetry
STATICCHECK_VERSION := v0.8.2
GOLANGCI_LINT_VERSION := v2.7.2
MARKDOWNLINT_VERSION := 0.50.0
MARKDOWNLINT := $(CURDIR)/.cache/npm/node_modules/.bin/markdownlint
CACHE_BIN := $(CURDIR)/.cache/bin

.PHONY: build test test-stress fuzz lint telegraf nfpm demo dist bench scale compare bench-delivery bench-layouts

## build: ./telegraf-mip and ./telegraf-mip-centreon (the Centreon check
## alone, without Telegraf linked: docs/centreon-plugin.md), static, with the
## version from git.
build:
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o telegraf-mip ./cmd/telegraf-mip
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o telegraf-mip-centreon ./cmd/telegraf-mip-centreon

## test: every test, end-to-end ones included (they run a real Telegraf,
## built into .cache/bin on first use, and a real InfluxDB), in two go test
## commands side by side (scripts/test.sh): under -race, every package but
## cmd/telegraf-mip; without it, cmd/telegraf-mip, whose tests run the
## binary as a process beside Telegraf and InfluxDB, several at once. The
## whole verbose output is kept in .cache/test.log and must hold neither
## the tests' API keys (they all contain the marker below) nor a skipped
## test; the terminal shows each package's result and the output of failing
## tests only, each under its own name (scripts/test-output.awk), or all of
## it with V=1. MIP_SOAK=long runs the soak tests at full length (go test
## alone runs them short, for a fast loop).
TEST_KEY_MARKER := s3cr3t-mip-k3y
test: telegraf
	MIP_SOAK=long TELEGRAF_BIN=$(CACHE_BIN)/telegraf V=$(V) scripts/test.sh \
	  || { echo "FAIL: the whole output is in .cache/test.log"; exit 1; }
	@if grep -n -F '$(TEST_KEY_MARKER)' .cache/test.log; then echo "FAIL: a test API key appears in the test output above"; exit 1; fi
	@if grep -n -E -- '--- SKIP' .cache/test.log; then echo "FAIL: tests were skipped"; exit 1; fi
	@echo "test output checked: no API key, no skipped test"

## test-stress: the end-to-end tests (E2E_TESTS: those that run a real
## Telegraf, InfluxDB or the real clock) STRESS_RUNS times in a row, while
## one busy loop per core keeps the machine busy (scripts/test-stress.sh):
## run it before trusting a change to those tests. Each run's output is in
## .cache/stress-N.log.
STRESS_RUNS ?= 3
E2E_TESTS := ^(TestTelegraf|TestOutputOutage|TestBackfillBurst|TestUncleanStops|TestMIPOutage|TestOnceUnderOneParent|TestDiskBuffer|TestREADME|TestDemoNextStepUnderTelegraf|TestStdinDrivenGathers|TestWideLayoutToInfluxDB|TestWindowBackfill|TestSignalWhile)
test-stress: telegraf
	TELEGRAF_BIN=$(CACHE_BIN)/telegraf scripts/test-stress.sh $(STRESS_RUNS) '$(E2E_TESTS)'

## fuzz: each fuzz target for a number of inputs, about 20 s each here
## (FUZZTIME=2m, or =Nx, for all of them instead). Counts, not a duration:
## Go's fuzzing coordinator can fail a run whose -fuzztime deadline falls
## while a worker is mid-input ("context deadline exceeded", no crasher;
## golang/go#75804), which a count never races.
FUZZTIME ?=
fuzz:
	go test -run '^$$' -fuzz '^FuzzGatherResponse$$' -fuzztime $(or $(FUZZTIME),1000x) ./plugins/inputs/mip
	go test -run '^$$' -fuzz '^FuzzMeasureFields$$' -fuzztime $(or $(FUZZTIME),5000x) ./plugins/inputs/mip
	go test -run '^$$' -fuzz '^FuzzParseRunTime$$' -fuzztime $(or $(FUZZTIME),400000x) ./internal/mipapi
	go test -run '^$$' -fuzz '^FuzzEncoderWritesWhatTelegrafWrites$$' -fuzztime $(or $(FUZZTIME),250000x) ./internal/output

## lint: gofmt, vet, staticcheck, golangci-lint with Telegraf's own
## configuration (a writable copy of its .golangci.yml, from the module
## cache), Telegraf's readme_linter on the plugin's README, and markdownlint
## (markdownlint-cli, pinned, installed with npm into .cache/npm) with
## Telegraf's .markdownlint.jsonc on every Markdown file.
lint:
	test -z "$$(gofmt -l .)" || (gofmt -l . && false)
	go vet ./...
	GOBIN=$(CACHE_BIN) go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(CACHE_BIN)/staticcheck ./...
	go mod download github.com/influxdata/telegraf@$(TELEGRAF_VERSION)
	GOBIN=$(CACHE_BIN) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	@mkdir -p .cache
	install -m 644 "$$(go env GOMODCACHE)/github.com/influxdata/telegraf@$(TELEGRAF_VERSION)/.golangci.yml" .cache/telegraf-golangci.yml
	$(CACHE_BIN)/golangci-lint run --config .cache/telegraf-golangci.yml --max-issues-per-linter 0 --max-same-issues 0 ./...
	GOBIN=$(CACHE_BIN) go install github.com/influxdata/telegraf/tools/readme_linter@$(TELEGRAF_VERSION)
	$(CACHE_BIN)/readme_linter -quiet plugins/inputs/mip/README.md
	$(MARKDOWNLINT) --version 2>/dev/null | grep -qx '$(MARKDOWNLINT_VERSION)' \
	  || npm install --no-audit --no-fund --prefix .cache/npm markdownlint-cli@$(MARKDOWNLINT_VERSION)
	$(MARKDOWNLINT) --config "$$(go env GOMODCACHE)/github.com/influxdata/telegraf@$(TELEGRAF_VERSION)/.markdownlint.jsonc" $$(git ls-files '*.md')

telegraf: $(CACHE_BIN)/telegraf

## The version Telegraf reports ("Telegraf 1.37.2 (customized)"), set as
## Telegraf's own Makefile does; go install alone leaves it "unknown". The
## cached Telegraf is built again when its version or tags change: the
## stamp holds them and is rewritten only when they differ.
TELEGRAF_STAMP := $(CACHE_BIN)/telegraf.build
.PHONY: FORCE
FORCE:
$(TELEGRAF_STAMP): FORCE
	@mkdir -p $(CACHE_BIN)
	@echo '$(TELEGRAF_VERSION) $(TELEGRAF_TAGS) version-stamped' | cmp -s - $@ || echo '$(TELEGRAF_VERSION) $(TELEGRAF_TAGS) version-stamped' > $@

$(CACHE_BIN)/telegraf: $(TELEGRAF_STAMP)
	GOBIN=$(CACHE_BIN) go install -tags "$(TELEGRAF_TAGS)" \
	  -ldflags "-X github.com/influxdata/telegraf/internal.Version=$(TELEGRAF_VERSION:v%=%)" \
	  github.com/influxdata/telegraf/cmd/telegraf@$(TELEGRAF_VERSION)

demo:
	go run ./cmd/telegraf-mip -demo

## dist: release artefacts in dist/, each archive holding the binaries
## (telegraf-mip and telegraf-mip-centreon, .exe on Windows),
## sample.conf, both READMEs and docs/ (at their repository paths, so the links work),
## the dashboard, the license and examples (the CLAPI import file of
## docs/centreon-plugin.md in each):
##   linux amd64/arm64 tarballs, .deb and .rpm (nfpm, packaging/nfpm.yaml),
##   darwin amd64/arm64 tarballs, a windows/amd64 .zip (needs zip),
##   and SHA256SUMS over all of them.
## Package versions: VERSION without a leading v, '-' as '.', and 0.0.0~
## before one that is not a version number (a bare commit, a test name).
NFPM_VERSION := v2.45.2
PKG_VERSION := $(shell echo '$(VERSION)' | sed -E 's/^v([0-9]+\.)/\1/; /^[0-9]+\./!s/^/0.0.0~/; s/-/./g')
DIST_DOCS := sample.conf README.md LICENSE dashboards/mip-grafana.json dashboards/mip-grafana-wide.json plugins/inputs/mip/README.md $(sort $(wildcard docs/*.md))
DIST_EXAMPLES_linux := examples/inputs.execd.conf examples/output-health.conf examples/telegraf.service.d-mip.conf examples/centreon-clapi-mip.txt
DIST_EXAMPLES_darwin := examples/inputs.execd.conf examples/output-health.conf examples/centreon-clapi-mip.txt
DIST_EXAMPLES_windows := examples/inputs.execd.windows.conf examples/output-health.conf examples/centreon-clapi-mip.txt
DIST_TARGETS := linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64
export SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)

nfpm: $(CACHE_BIN)/nfpm

$(CACHE_BIN)/nfpm:
	GOBIN=$(CACHE_BIN) go install github.com/goreleaser/nfpm/v2/cmd/nfpm@$(NFPM_VERSION)

dist: nfpm
	@command -v zip >/dev/null || { echo "make dist needs zip (apt-get install -y zip)"; exit 1; }
	rm -rf dist
	set -e; for target in $(DIST_TARGETS); do \
	  os=$${target%/*}; arch=$${target#*/}; \
	  name=telegraf-mip-$(VERSION)-$$os-$$arch; ext=; \
	  if [ $$os = windows ]; then ext=.exe; fi; \
	  mkdir -p dist/$$name; \
	  for cmd in telegraf-mip telegraf-mip-centreon; do \
	    CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch go build -trimpath -ldflags "$(LDFLAGS)" -o dist/$$name/$$cmd$$ext ./cmd/$$cmd; \
	  done; \
	  case $$os in \
	    linux) examples="$(DIST_EXAMPLES_linux)";; \
	    darwin) examples="$(DIST_EXAMPLES_darwin)";; \
	    windows) examples="$(DIST_EXAMPLES_windows)";; \
	  esac; \
	  cp --parents $(DIST_DOCS) $$examples dist/$$name/; \
	  if [ $$os = windows ]; then \
	    (cd dist && zip -qr $$name.zip $$name); \
	  else \
	    tar -C dist --owner=0 --group=0 -czf dist/$$name.tar.gz $$name; \
	  fi; \
	  if [ $$os = linux ]; then \
	    for packager in deb rpm; do \
	      GOARCH=$$arch PKG_VERSION='$(PKG_VERSION)' BIN=dist/$$name/telegraf-mip \
	        $(CACHE_BIN)/nfpm pkg --config packaging/nfpm.yaml --packager $$packager --target dist/; \
	    done; \
	  fi; \
	done
	cd dist && sha256sum *.tar.gz *.zip *.deb *.rpm > SHA256SUMS
	cat dist/SHA256SUMS

## bench: the end-to-end gather of 10,000 scenarios (BenchmarkGather: loopback
## HTTP, decoding, points, line protocol; first and steady gathers, with and
## without state_file) and the decoding benchmarks, each with its two
## baselines on the same bytes (json.Valid and Unmarshal into maps), and the
## writer's; BENCH10K=1 adds 10,000 scenarios to the decoding benchmarks.
bench:
	go test -run '^$$' -bench 'DecodeAndConvert|JSONValid|UnmarshalMaps' -benchmem -benchtime 3x -count 3 ./plugins/inputs/mip/ $(if $(BENCH10K),-args -bench10k)
	go test -run '^$$' -bench 'Gather' -benchmem -benchtime 3x -count 3 ./plugins/inputs/mip/
	go test -run '^$$' -bench 'WritePoints' -benchmem ./internal/output/

## scale: telegraf-mip -once against the simulator at SCENARIOS × 60 runs,
## with wall time, CPU time and peak RSS.
SCENARIOS ?= 10000
scale:
	scripts/scale.sh $(SCENARIOS)

## compare: telegraf-mip's first gather (SCENARIOS × 60 runs) and steady
## gather (2 runs a scenario, 1 new) side by side with the Centreon Perl
## plugin checking one scenario of the same answer: CPU seconds and peak RSS,
## medians of ROUNDS interleaved rounds (scripts/compare.sh, several
## minutes). CENTREON_PLUGINS: centreon-plugins' src/, checkout or git
## directory; BASELINE=<git rev> also measures telegraf-mip built from it.
ROUNDS ?= 5
compare:
	scripts/compare.sh -n $(SCENARIOS) -r $(ROUNDS) $(if $(BASELINE),-b '$(BASELINE)') $(if $(CENTREON_PLUGINS),-c '$(CENTREON_PLUGINS)')

## bench-delivery: how long a one-hour backfill of 300 and 1,000 scenarios
## takes to reach a real InfluxDB through a real Telegraf with the defaults
## (several minutes each).
bench-delivery: telegraf
	TELEGRAF_BIN=$(CACHE_BIN)/telegraf go test -run '^$$' -bench 'BackfillThroughTelegraf' -benchtime 1x -timeout 90m ./cmd/telegraf-mip/

## bench-layouts: the CPU per 1,000 runs of metric_layout "narrow" and
## "wide", side by side: the plugin alone (BenchmarkLayouts, 1,000 scenarios
## × 60 runs; BENCH10K=1 adds 10,000 to both), then the plugin, a real Telegraf and a
## real InfluxDB (BenchmarkPipelineLayouts, several minutes).
bench-layouts: telegraf
	go test -run '^$$' -bench 'BenchmarkLayouts' -benchtime 3x -count 3 ./plugins/inputs/mip/ $(if $(BENCH10K),-args -bench10k)
	TELEGRAF_BIN=$(CACHE_BIN)/telegraf go test -run '^$$' -bench 'PipelineLayouts' -benchtime 1x -count 3 -timeout 90m ./cmd/telegraf-mip/ $(if $(BENCH10K),-args -bench10k)
