#!/usr/bin/env bash
# Prints a TCP port free now on 127.0.0.1, for a server that must be told its port before it starts (PostgreSQL, the
# deployment's configured ports, a port kept across restarts); servers that can bind port 0 and report the port they
# got do that instead. Taken at random below Linux's ephemeral range (32768-60999), so that no outgoing connection
# takes it before the server binds it; only another explicit bind of the same number could.
exec python3 - <<'PY'
import random, socket
for _ in range(200):
    port = random.randint(20000, 32767)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
else:
    raise SystemExit("fixed-port: no free port in 20000-32767")
PY
