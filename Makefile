# RocketMart — see README.md.
SHELL := /bin/bash
GO    ?= go
BIN   := bin
DATA  ?= data

# Every module in go.work; `go test ./...` does not work at a workspace root.
MODULES := $(shell $(GO) list -m -f '{{.Dir}}')
PKGS     = $(addsuffix /...,$(MODULES))
# The API docs generator runs swag over every service: no goroutines of its
# own to race, and four minutes under the race detector instead of forty
# seconds, so make test runs it in the plain pass.
GEN      := $(filter %/api-docs/gen,$(MODULES))
RACEPKGS = $(addsuffix /...,$(filter-out $(GEN),$(MODULES)))
.PHONY: all build test test-short vet fmt fuzz run workshop audit soak bench lab minirmq docs api-docs examples-check clean

all: build

build: ## build every program and tool into bin/ with one go build (README: First run)
	@mkdir -p $(BIN)
	@# The launcher first (it reads the services from the table in
	@# services/contracts), then everything else in one parallel go build.
	$(GO) build -o $(BIN)/shop ./scripts/shop
	$(BIN)/shop -build-only -bin $(BIN)

# The browser test saves its screenshots here.
export ROCKETMART_ARTIFACTS ?= $(CURDIR)/artifacts

test: ## the whole suite (SQLite always, MariaDB/MySQL when TEST_MYSQL_DSN is set, the browser test when Chromium is installed)
	$(GO) vet $(PKGS)
	@# Three test binaries at a time on two cores: most of the long packages
	@# (whole shops, flows) wait on the broker's timers rather than compute,
	@# and go test's default (one per core) left the machine half idle.
	$(GO) test -race -count=1 -p 3 -timeout 15m $(RACEPKGS)
	$(GO) test -count=1 $(GEN)/...
	@# The client's orderly consumer races internally, and so does a group of
	@# push consumers shut down during a rebalance: those tests are built !race.
	$(GO) test -count=1 -run 'Orderly|TestROCKETMQSerializedClient' ./services/minirmq/
	@# So does a push consumer across a broker restart (kill -9 restart test).
	$(GO) test -count=1 -run TestConsumerReceivesAfterKill9Restart ./services/minirmq/cmd/minirmq/
	@# deploy/ validates docker compose, the Dockerfile and k8s without Docker;
	@# it is outside go.work so its Kubernetes/compose dependencies do not
	@# raise the versions every service builds with.
	cd deploy && GOWORK=off $(GO) vet ./... && GOWORK=off $(GO) test -count=1 ./...
	./scripts/examples-check.sh

test-short: ## quick run: no race detector, no whole-shop, flow or browser tests
	$(GO) test -short -count=1 $(PKGS)

vet:
	$(GO) vet $(PKGS)

fmt:
	gofmt -l -w services web scripts

fuzz: ## fuzz the remoting frame decoder for a minute
	cd services/minirmq && $(GO) test -run '^$$' -fuzz FuzzDecodeFrame -fuzztime 60s ./internal/remoting/

# bin/shop, not go run: go run answers Ctrl-C with exit status 1 however
# cleanly the shop stopped.
run: build ## build and run the whole shop on the embedded default (minirmq + six services on SQLite under data/)
	$(BIN)/shop -no-build -bin $(BIN) -data $(DATA)

workshop: build ## make run with workshop timings and the labs on the storefront's Trainer page (scripts/shop/labs/README.md)
	$(BIN)/shop -no-build -bin $(BIN) -data $(DATA) -workshop

# make audit AUDIT_LANG=zh-CN  in Simplified Chinese (default: from LANG, e.g. zh_CN.UTF-8; AUDIT_LANG=en for English)
audit: ## check the running shop's invariants (SPEC §3); exit 1 on a violation
	$(GO) run ./scripts/audit $(if $(AUDIT_LANG),-lang $(AUDIT_LANG))

# make soak [DURATION=10m] [SOAK_DB=mysql] [SOAK_FLAGS='-seed 42 -order-instances 2']
DURATION ?= 2m
SOAK_DB  ?= sqlite
soak: ## crash soak: load through the gateway while every program is killed in turn, then audit and check every answer (README: Crash soak)
	$(GO) run ./scripts/shop/soak -bin $(BIN) -duration $(DURATION) -db $(SOAK_DB) $(SOAK_FLAGS)

# make bench [BENCH_FLAGS='-db mysql -clients 16,64 -rates 100 -duration 20s -json']
bench: ## benchmark: the shop on spare ports, closed loop at 1/4/16/64 clients, CPU per paid order per program, then the audit (README: Performance)
	$(GO) run ./scripts/shop/bench -bin $(BIN) $(BENCH_FLAGS)

# make lab                 list the labs
# make lab L=happy-path    run one (L=all: every lab; several: L="a b")
# make lab LAB_LANG=zh-CN  in Simplified Chinese (default: from LANG, e.g. zh_CN.UTF-8; LAB_LANG=en for English)
lab: ## workshop labs: list them, or run L=<name> on a fresh lab shop, graded by the audit (scripts/shop/labs/README.md)
	$(GO) run ./scripts/shop/lab -bin $(BIN) $(if $(LAB_LANG),-lang $(LAB_LANG)) $(L)

minirmq: build ## run minirmq with a data directory and fast transaction checks
	$(BIN)/minirmq -data $(DATA)/minirmq -tx-check-after 2s -tx-check-interval 5s

docs: api-docs ## regenerate the OpenAPI documents (same as api-docs)

api-docs: ## regenerate api-docs/<service>/swagger.{json,yaml} from the swag annotations
	$(GO) run ./api-docs/gen

examples-check: ## run the client's own examples against minirmq
	./scripts/examples-check.sh

clean:
	rm -rf $(BIN) artifacts
