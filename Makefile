GO ?= go
BIN := bin/voc

.PHONY: build test demo eval bench lint clean

build:
	$(GO) build -o $(BIN) ./cmd/voc

# Unit, golden, lexicon and integration tests (real ClickHouse, kfake broker, kcat).
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 40m ./...

demo: build
	@command -v clickhouse-server >/dev/null 2>&1 || (sudo -n true 2>/dev/null && SUDO=sudo; $${SUDO} apt-get update && $${SUDO} apt-get install -y clickhouse-server clickhouse-client kcat)
	./$(BIN) demo

eval: build
	./$(BIN) eval --data ../shared/data

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./nlp/... ./pipeline/... ./sinks/... ./sources/...

clean:
	rm -rf bin .voc
