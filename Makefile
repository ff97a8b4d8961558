# telegraf-mip: build, test, lint.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
TELEGRAF_VERSION := v1.37.2
TELEGRAF_TAGS := custom,inputs.execd,outputs.file,outputs.influxdb,outputs.opentelemetry
STATICCHECK_VERSION := v0.8.2
CACHE_BIN := $(CURDIR)/.cache/bin

.PHONY: build test lint telegraf demo dist

build:
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o telegraf-mip ./cmd/telegraf-mip

## test: every test, end-to-end ones included (they run a real Telegraf,
## built into .cache/bin on first use).
test: telegraf
	TELEGRAF_BIN=$(CACHE_BIN)/telegraf go test -race -count=1 -timeout 20m ./...

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
