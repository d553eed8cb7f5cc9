"""The engine: one supervisor and its worker processes, meeting in shared memory.

supervisor    starts the workers, times the start, watches the job, stops it, gathers the result
worker        a worker process: its own uvloop loop and warm client, the tick loop, the claim
shared        the job state in shared memory (claim, stop, counters, schedule, clock)
schedule      the global tick schedule, dealt round-robin to the workers (pure arithmetic)
clock         precise waiting (sleep short, then spin) on an injectable clock
server_clock  the service's clock, estimated from HTTP Date headers, and when to doubt it
results       how a job ended, as facts read from shared memory and events (build_outcome)
hardening     no core dumps from a process that holds credentials
"""
