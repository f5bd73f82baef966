# vmconform — the two commands a user needs: `make conformance` and `make test`.
# Every target installs what is missing first (scripts/install-deps.sh).

SHELL := /bin/bash
VMCONFORM := node bin/vmconform.js

.PHONY: deps fixtures test conformance bench clean typecheck

deps:
	@scripts/install-deps.sh

fixtures: deps
	@node --import tsx fixtures/guest/build.ts

typecheck: deps
	npx tsc --noEmit

test: deps fixtures typecheck
	npx vitest run

conformance: deps fixtures
	$(VMCONFORM) run --backend model,qemu --suite default

bench: deps fixtures
	@mkdir -p reports
	$(VMCONFORM) bench --json | tee reports/bench.json

clean:
	rm -rf reports/*/ fixtures/guest/build .state
