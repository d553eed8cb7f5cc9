"""The services booker books on, one at a time: each owns its requests, readers and flow.

A provider's readers are pure (``Request`` values out, ``Answer`` values in, a ``Verdict``
back); its flow drives a drop through ``core.ports.WorkerIO`` and imports nothing of the
engine. Adding a provider: docs/ARCHITECTURE.md, "Adding a provider in five steps".

    common            JSON decoding and the status classes every service shares
    base              what every flow shares: warming up with retries
    credentials       every provider by name, their credential names (the union), the store's calls
    resy              Resy's requests and the drop's readers, its credential names and probe
    resy_target       what a Resy job wants (ResyTarget) and how its slots rank
    resy_venue        a Resy venue's facts outside a drop: zone, release rule, last day, offers
    resy_account      Resy's account calls as requests and readers (sign-in, cards, Notify)
    resy_credentials  loading Resy's credentials (environment, .env, settings file)
    resy_flow         Resy's drop: warm, poll /4/find, details, book; its job value
    cart              the campsite cart's requests and readers, its credential names and probe
    cart_credentials  loading the cart's credentials (environment, .env, settings file)
    cart_flow         the cart's drop: read the cart, add to cart every tick; its job value
"""
