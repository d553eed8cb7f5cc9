"""booker's benchmark suite: the pure core, the request hot path, end-to-end drops (``make bench``)."""
