"""Core values and rules: frozen values, pure decisions, the shared vocabulary of the layers.

No I/O, no clock: everything here is tested with plain values. It imports nothing else of booker.

    exceptions    the one exception tree, each error with its exit code
    model         frozen values that cross modules and processes (Status, Slot, Booked, ...)
    decide        what to do with each answer: react (pause, reduce, warn, stop), booking steps
    matching      time windows and table types, matched and ranked
    settings      the engine settings' table (option, range, default, unit, help) and value
    wire          requests and answers as plain values (what the HTTP edge sends and reads)
    ports         what the engine and the providers share: events, the claim, Job/Flow/WorkerIO, Probe
    results       how a job ended, as values (JobResult, StatusSnapshot)
    tokens        when a sign-in token expires (a JWT's ``exp``, read without verifying it)
"""
