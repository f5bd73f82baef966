# vmconform — the two commands a user needs: `make conformance` and `make test`.
# Every target installs what is missing first (scripts/install-deps.sh).

SHELL := /bin/bash
VMCONFORM := node bin/vmconform.js

.PHONY: deps fixtures test conformance bench clean typecheck lint-deps

deps:
	@scripts/install-deps.sh

fixtures: deps
	@node --import tsx guest/build.ts

typecheck: deps
	npx tsc --noEmit

# The dependency rule (docs/architecture.md §2, .dependency-cruiser.cjs): no
# import cycle, the layer order, no backend importing another, no I/O in the
# model, folders entered through their index. Strict: any violation fails.
DEPCRUISE_ROOTS := harness backends guest scripts fixtures test bin scenarios
lint-deps: deps
	npx depcruise --config .dependency-cruiser.cjs --output-type err $(DEPCRUISE_ROOTS)

# `make test` runs the dependency rule first; a violation fails it.
test: deps fixtures typecheck lint-deps
	npx vitest run

# The gate: the model against real QEMU, default suite (10 minutes on 2 cores
# under TCG). Counterexamples are re-run once (deterministic or flaky) and
# matched against the baseline of known deviations. `make conformance
# VMCONFORM_QEMU=/path/qemu-system-x86_64` tests another QEMU; ARGS adds flags
# (e.g. ARGS='--seed 42'). vmconform's exit code (1 counterexample, 3
# infrastructure, 130 interrupted) is printed; make itself then exits 2.
CONFORMANCE_FLAGS ?= --jobs auto --confirm 1 --baseline scenarios/baselines/default.yaml
conformance: deps fixtures
	@$(VMCONFORM) run --backend model,qemu --suite default $(CONFORMANCE_FLAGS) \
	  $(if $(VMCONFORM_QEMU),--qemu-binary '$(VMCONFORM_QEMU)') $(ARGS) \
	  || { code=$$?; echo "vmconform run exited $$code" >&2; exit $$code; }

bench: deps fixtures
	@mkdir -p reports
	$(VMCONFORM) bench --json | tee reports/bench.json

clean:
	rm -rf reports/*/ guest/build .state
