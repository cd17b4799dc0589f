GO ?= go
BIN := bin/voc

.PHONY: build web test demo eval eval-packs learn bench bench-dashboard lint clean

build: web
	$(GO) build -o $(BIN) ./cmd/voc

# Dashboard assets: front-end dependencies from the npm registry (pinned in
# web/package-lock.json); esbuild bundles the parts of ECharts the dashboard
# uses (web/charts.js) into web/static/vendor/charts.js, embedded by the Go
# build. Without npm the binary still builds; the dashboard then has no charts.
web:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory web/static/vendor/charts.js; \
	else echo "make: npm not found: building without the dashboard's charts (apt-get install npm)"; fi

web/static/vendor/charts.js: web/charts.js web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	mkdir -p web/static/vendor
	rm -f web/static/vendor/echarts.min.js
	cd web && node_modules/.bin/esbuild charts.js --bundle --minify --format=iife --target=es2017 \
	  --define:process.env.NODE_ENV='"production"' --legal-comments=eof \
	  --banner:js='/*! Apache ECharts (Apache-2.0, https://echarts.apache.org): the parts the voc dashboard uses. */' \
	  --log-level=warning --outfile=static/vendor/charts.js

# Unit, golden, lexicon and integration tests (real ClickHouse, kfake broker, kcat).
test: web
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 40m ./...

# Installs what the demo needs when missing (Debian), then builds and runs it.
demo:
	@need=""; command -v clickhouse-server >/dev/null 2>&1 || need="$$need clickhouse-server clickhouse-client"; \
	command -v npm >/dev/null 2>&1 || need="$$need nodejs npm"; \
	if [ -n "$$need" ]; then SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  echo "make demo: installing$$need"; $$SUDO apt-get update && $$SUDO apt-get install -y --no-install-recommends $$need; fi
	$(MAKE) --no-print-directory build
	./$(BIN) demo

# Sentiment and 之江杯 pain-point accuracy on ../shared/data (when present), and
# topics per pack on the hand-labelled samples of testdata/aspect-eval.
eval: build
	./$(BIN) eval --data ../shared/data --aspect-samples testdata/aspect-eval

# Topics per pack only (seconds; needs no ../shared/data): voc's mention recall
# and (category, polarity) micro-F1 against the "topic name in the text"
# baseline; texts voc got wrong in .voc/pack-mistakes.tsv. Then the same on
# the check sets, which the packs were not tuned on (testdata/aspect-check).
eval-packs: build
	@mkdir -p .voc
	./$(BIN) eval --pack-samples-only --aspect-samples testdata/aspect-eval --pack-mistakes .voc/pack-mistakes.tsv
	./$(BIN) eval --pack-samples-only --aspect-samples testdata/aspect-check

# Relearns the shipped lexicons/data/learned.tsv from the public sets in ../shared/data
# (evaluate the result with make eval; review it with voc lexicon diff).
SENT := ../shared/data/sentiment
learn: build
	./$(BIN) lexicon learn --data $(SENT)/waimai_10k.csv --data $(SENT)/online_shopping_10_cats.csv \
	  --data $(SENT)/chnsenticorp_train.tsv --out lexicons/data --min-weight 0.1 --min-support 10

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./nlp/... ./pipeline/... ./sinks/... ./sources/...

# API and dashboard numbers with 1M records (ClickHouse, index, Chromium);
# see docs/dashboard.md.
bench-dashboard: web
	VOC_BENCH_RECORDS=$${VOC_BENCH_RECORDS:-1000000} $(GO) test -run '^$$' -bench BenchmarkDashboard -benchtime 1x -timeout 3h ./api/

clean:
	rm -rf bin .voc web/static/vendor
