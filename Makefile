GO ?= go
BIN := bin/voc

.PHONY: build web test demo eval bench bench-dashboard lint clean

build: web
	$(GO) build -o $(BIN) ./cmd/voc

# Dashboard assets: front-end dependencies from the npm registry (pinned in
# web/package-lock.json), copied next to the embedded static files.
web: web/static/vendor/echarts.min.js

web/static/vendor/echarts.min.js: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	mkdir -p web/static/vendor
	cp web/node_modules/echarts/dist/echarts.min.js web/static/vendor/echarts.min.js

# Unit, golden, lexicon and integration tests (real ClickHouse, kfake broker, kcat).
test: web
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 40m ./...

demo: build
	@command -v clickhouse-server >/dev/null 2>&1 || (sudo -n true 2>/dev/null && SUDO=sudo; $${SUDO} apt-get update && $${SUDO} apt-get install -y clickhouse-server clickhouse-client kcat)
	./$(BIN) demo

eval: build
	./$(BIN) eval --data ../shared/data

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./nlp/... ./pipeline/... ./sinks/... ./sources/...

# API and dashboard numbers with 1M records (ClickHouse, index, Chromium);
# see docs/dashboard.md.
bench-dashboard: web
	VOC_BENCH_RECORDS=$${VOC_BENCH_RECORDS:-1000000} $(GO) test -run '^$$' -bench BenchmarkDashboard -benchtime 1x -timeout 3h ./api/

clean:
	rm -rf bin .voc web/static/vendor
