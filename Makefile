.PHONY: run check test stress bench testssl build clean deploy-check

# Install what is missing, build, create the dev HSM token and CA under var/, start the appliance.
run:
	scripts/run.sh

# The inner loop: unit tests and in-process integration tests (starts a throwaway PostgreSQL).
check:
	scripts/check.sh

# The whole test suite (starts its own throwaway PostgreSQL): check's tests, the process-level suites, the
# benches' smoke run and the deployment check, side by side after one build.
test:
	scripts/test.sh

# The crash and restart stress suites at a longer length than make test gives them (30 kill/stop cycles per store,
# 2,000 issuances per make-run round); after a build (make test or make build).
stress:
	scripts/test.sh -pl integration-tests -Dtest='RestartStressH2Test,RestartStressPostgresTest,MakeRunStressTest' \
	  -Dstress.cycles=30 -Dstress.make-run.issuances=2000

# Benchmarks that print figures (CRL with 1,000,000 entries on a 512 MiB heap).
bench:
	scripts/bench.sh

# testssl.sh against a throwaway appliance: fails on any vulnerability or weak protocol/cipher.
testssl:
	scripts/testssl.sh

# The Ansible deployment: lint, syntax, unit scores, applied to this machine (throwaway root), checked, run twice.
deploy-check:
	scripts/deploy-check.sh

build:
	scripts/deps.sh
	mvn -B -ntp -DskipTests install

clean:
	mvn -B -ntp -q clean
